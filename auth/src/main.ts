import { Topics } from "@chirp/contracts";
import { createKafka, kafkaCheck } from "@chirp/platform/kafka/client";
import { ensureTopics } from "@chirp/platform/kafka/topics";
import { createLogger, type Logger } from "@chirp/platform/logger";
import { runService } from "@chirp/platform/main";
import { createReadiness } from "@chirp/platform/readiness";
import { runShutdown } from "@chirp/platform/shutdown";
import { MongoClient } from "mongodb";
import { createApp } from "./app.ts";
import { type AuthConfig, loadConfig } from "./config.ts";

/** Connects to MongoDB and Kafka, creates the topics, and serves. The returned `stop` drains and closes. */
export async function start(config: AuthConfig, logger: Logger = createLogger("auth", config.LOG_LEVEL)) {
  const mongo = new MongoClient(config.MONGO_URL, { serverSelectionTimeoutMS: 3000, appName: "chirp-auth" });
  await mongo.connect();
  const db = mongo.db();

  const kafka = createKafka({ clientId: config.KAFKA_CLIENT_ID, brokers: config.KAFKA_BROKERS, logger });
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, Topics, {
    prefix: config.KAFKA_TOPIC_PREFIX,
    partitions: config.KAFKA_TOPIC_PARTITIONS,
    replicationFactor: config.KAFKA_REPLICATION_FACTOR,
  });

  const readiness = createReadiness({
    mongodb: () => db.command({ ping: 1 }),
    kafka: kafkaCheck(admin),
  });
  const app = createApp({ logger, readiness, bodyLimitBytes: config.BODY_LIMIT_BYTES });
  const server = Bun.serve({ hostname: config.HOST, port: config.PORT, fetch: app.fetch });
  logger.info({ url: server.url.href }, "auth service listening");

  const stop = () =>
    runShutdown(
      [
        { name: "http", run: () => server.stop() },
        { name: "kafka", run: () => admin.disconnect() },
        { name: "mongodb", run: () => mongo.close() },
      ],
      logger,
      config.SHUTDOWN_TIMEOUT_MS,
    );
  return { url: server.url, db, stop };
}

if (import.meta.main) await runService({ name: "auth", loadConfig, start });
