import { Topics } from "@chirp/contracts";
import { createKafka, kafkaCheck } from "@chirp/platform/kafka/client";
import { ensureTopics } from "@chirp/platform/kafka/topics";
import { createLogger, type Logger } from "@chirp/platform/logger";
import { runService } from "@chirp/platform/main";
import { createReadiness } from "@chirp/platform/readiness";
import { runShutdown } from "@chirp/platform/shutdown";
import { createApp } from "./app.ts";
import { loadConfig, type PostConfig } from "./config.ts";
import { connectDb, migrateDb } from "./db.ts";

/** Migrates, connects to PostgreSQL and Kafka, creates the topics, and serves. `stop` drains and closes. */
export async function start(config: PostConfig, logger: Logger = createLogger("post", config.LOG_LEVEL)) {
  await migrateDb(config.DATABASE_URL);
  const { sql, db } = connectDb(config.DATABASE_URL, config.DATABASE_POOL_MAX);

  const kafka = createKafka({ clientId: config.KAFKA_CLIENT_ID, brokers: config.KAFKA_BROKERS, logger });
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, Topics, {
    prefix: config.KAFKA_TOPIC_PREFIX,
    partitions: config.KAFKA_TOPIC_PARTITIONS,
    replicationFactor: config.KAFKA_REPLICATION_FACTOR,
  });

  const readiness = createReadiness({
    postgres: () => sql`select 1`,
    kafka: kafkaCheck(admin),
  });
  const app = createApp({ logger, readiness, bodyLimitBytes: config.BODY_LIMIT_BYTES });
  const server = Bun.serve({ hostname: config.HOST, port: config.PORT, fetch: app.fetch });
  logger.info({ url: server.url.href }, "post service listening");

  const stop = () =>
    runShutdown(
      [
        { name: "http", run: () => server.stop() },
        { name: "kafka", run: () => admin.disconnect() },
        { name: "postgres", run: () => sql.end({ timeout: 5 }) },
      ],
      logger,
      config.SHUTDOWN_TIMEOUT_MS,
    );
  return { url: server.url, db, sql, stop };
}

if (import.meta.main) await runService({ name: "post", loadConfig, start });
