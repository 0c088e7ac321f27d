import { Topics } from "@chirp/contracts";
import { createTokenVerifier } from "@chirp/platform/auth/token-verifier";
import { createKafka, kafkaCheck } from "@chirp/platform/kafka/client";
import { consumerCheck } from "@chirp/platform/kafka/consumer";
import { consumerLag, consumerLagMetrics } from "@chirp/platform/kafka/consumer-lag";
import { consumerMetrics } from "@chirp/platform/kafka/consumer-metrics";
import { createPublisher } from "@chirp/platform/kafka/publisher";
import { ensureTopics } from "@chirp/platform/kafka/topics";
import { createLogger, type Logger } from "@chirp/platform/logger";
import { runService } from "@chirp/platform/main";
import { createMetrics } from "@chirp/platform/metrics";
import { outboxMetrics } from "@chirp/platform/outbox-metrics";
import { startOutboxRelay } from "@chirp/platform/outbox-relay";
import { createReadiness } from "@chirp/platform/readiness";
import { listen } from "@chirp/platform/serve";
import { runShutdown } from "@chirp/platform/shutdown";
import { tracedStore } from "@chirp/platform/tracing/spans";
import { createApp } from "./app.ts";
import { loadConfig, type PostConfig } from "./config.ts";
import { isRefusedValue } from "./database-errors.ts";
import { connectDb, migrateDb } from "./db.ts";
import { createCachedDirectory } from "./directory/cached-directory.ts";
import { createHttpDirectory } from "./directory/user-directory.ts";
import { startPostConsumers } from "./events/consumers/start-consumers.ts";
import { createOutboxStore, OUTBOX_CHANNEL } from "./events/outbox-store.ts";
import { createRevocationList } from "./revocation/revocation-list.ts";
import { startRevocationSync } from "./revocation/revocation-sync.ts";
import { createAuthorStore } from "./stores/author-store.ts";
import { createPostStore } from "./stores/post-store.ts";
import { purgeExpired } from "./stores/purge.ts";
import { createRevocationStore } from "./stores/revocation-store.ts";

/** How often expired inbox entries and revocations are purged (a scan of the inbox: rarely). */
const maintenanceEveryMs = 3_600_000;

/** Migrates, connects to PostgreSQL and Kafka, starts relay and consumers, and serves. `stop` drains. */
export async function start(config: PostConfig, logger: Logger = createLogger("post", config.LOG_LEVEL)) {
  const prefix = config.KAFKA_TOPIC_PREFIX;
  const kafka = createKafka({ clientId: config.KAFKA_CLIENT_ID, brokers: config.KAFKA_BROKERS, logger });
  const admin = kafka.admin();
  // Idempotent: a send retried after a lost acknowledgement is not written twice.
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  // The schema and Kafka do not depend on each other: set both up at once (start-up time is a budget).
  await Promise.all([
    migrateDb(config.DATABASE_URL),
    (async () => {
      await admin.connect();
      await ensureTopics(admin, Topics, {
        prefix,
        partitions: config.KAFKA_TOPIC_PARTITIONS,
        replicationFactor: config.KAFKA_REPLICATION_FACTOR,
      });
      await producer.connect();
    })(),
  ]);
  const { sql, db } = connectDb(config.DATABASE_URL, config.DATABASE_POOL_MAX);

  const outboxStore = createOutboxStore(db);
  const relay = startOutboxRelay({
    store: outboxStore,
    publisher: createPublisher(producer, prefix),
    logger: logger.child({ component: "outbox-relay" }),
  });
  const wake = () => relay.wake();
  // Commits of any instance wake every relay; the one holding the drain lock publishes.
  const outboxListener = await sql.listen(OUTBOX_CHANNEL, wake, wake);

  const revocationList = createRevocationList(config.REVOCATION_RETENTION_MS);
  const revocations = createRevocationStore(db);
  const revocationSync = await startRevocationSync({
    sql,
    store: revocations,
    list: revocationList,
    retentionMs: config.REVOCATION_RETENTION_MS,
    reloadMs: config.REVOCATION_RELOAD_MS,
    logger,
  });
  const metrics = createMetrics("post");
  const consumerSeries = consumerMetrics(metrics.registry);
  const consumers = await startPostConsumers({
    kafka,
    groupId: config.KAFKA_GROUP_ID,
    prefix,
    producer,
    logger: logger.child({ component: "consumer" }),
    concurrency: config.KAFKA_CONSUMER_CONCURRENCY,
    fetch: { maxWaitTimeInMs: config.KAFKA_FETCH_MAX_WAIT_MS },
    // While PostgreSQL is unreachable, a failing chunk (and its one-by-one fallback) waits for it instead
    // of sending every event of the chunk to the dead-letter topic.
    dependencies: () => sql`select 1`,
    // A value PostgreSQL refuses (a NUL in a name that reached Kafka) is dead-lettered without retries.
    permanent: isRefusedValue,
    metrics: consumerSeries,
    authors: tracedStore(createAuthorStore(db, wake), "authors", "postgresql"),
    revocations,
  });

  const readiness = createReadiness({
    postgres: () => sql`select 1`,
    kafka: kafkaCheck(admin, Topics, prefix),
    outbox: async () => {
      if (!relay.healthy()) throw new Error("the outbox relay cannot publish");
    },
    consumers: consumerCheck(consumers, config.CONSUMER_STALL_MS),
  });
  consumerSeries.watch(consumers);
  outboxMetrics(metrics.registry, () => outboxStore.backlog());
  consumerLagMetrics(metrics.registry, () => consumerLag(admin, config.KAFKA_GROUP_ID, consumers.topics));
  const app = createApp({
    logger,
    metrics,
    readiness,
    bodyLimitBytes: config.BODY_LIMIT_BYTES,
    corsOrigins: config.CORS_ORIGINS,
    posts: tracedStore(createPostStore(db, wake), "posts", "postgresql"),
    directory: createCachedDirectory(
      createHttpDirectory({ authUrl: config.AUTH_URL, timeoutMs: config.AUTH_TIMEOUT_MS }),
      {
        ttlMs: config.AUTHOR_CACHE_TTL_MS,
        maxEntries: config.AUTHOR_CACHE_MAX,
      },
    ),
    verifier: createTokenVerifier({
      jwksUrl: new URL("/.well-known/jwks.json", config.AUTH_URL).href,
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
    }),
    isRevoked: revocationList.isRevoked,
  });
  const listener = listen({ hostname: config.HOST, port: config.PORT, fetch: app.fetch });
  const { server } = listener;
  logger.info({ url: server.url.href }, "post service listening");

  const retention = {
    inboxMs: config.INBOX_RETENTION_HOURS * 3_600_000,
    revocationsMs: config.REVOCATION_RETENTION_MS,
  };
  const maintenance = setInterval(async () => {
    try {
      const purged = await purgeExpired(db, retention);
      if (purged.inbox + purged.revocations > 0) logger.info(purged, "purged expired inbox entries and revocations");
    } catch (error) {
      logger.warn({ err: error }, "purge failed; retrying at the next tick");
    }
  }, maintenanceEveryMs);

  const stop = () =>
    runShutdown(
      [
        { name: "http", run: () => listener.stop() },
        { name: "maintenance", run: async () => clearInterval(maintenance) },
        { name: "consumers", run: () => consumers.stop() },
        { name: "revocation-sync", run: () => revocationSync.stop() },
        { name: "outbox-listener", run: () => outboxListener.unlisten() },
        { name: "outbox-relay", run: () => relay.stop() },
        { name: "kafka", run: () => Promise.all([producer.disconnect(), admin.disconnect()]) },
        { name: "postgres", run: () => sql.end({ timeout: 5 }) },
      ],
      logger,
      config.SHUTDOWN_TIMEOUT_MS,
    );
  return { url: server.url, db, sql, stop, applied: consumers.applied, relay };
}

if (import.meta.main) void runService({ name: "post", loadConfig, start });
