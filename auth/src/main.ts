import { Topics } from "@chirp/contracts";
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
import { type Db, MongoClient } from "mongodb";
import { spentRetentionMs } from "./accounts/one-time-tokens.ts";
import { createApp } from "./app.ts";
import { startEventWork } from "./background.ts";
import { type AuthConfig, developmentSigningSecret, loadConfig } from "./config.ts";
import { ensureIndexes } from "./db.ts";
import { createLease } from "./events/lease.ts";
import { createEventOutbox } from "./events/outbox.ts";
import { createMongoOutboxStore } from "./events/outbox-store.ts";
import { newId } from "./ids.ts";
import { createMailQueue } from "./notifications/mail-queue.ts";
import { createPasswordHasher } from "./passwords/hasher.ts";
import { createMongoAddressAttemptStore } from "./stores/address-attempt-store.ts";
import { createMongoBanStore } from "./stores/ban-store.ts";
import { createMongoLoginFailureStore } from "./stores/login-failure-store.ts";
import { createMongoMfaStore } from "./stores/mfa-store.ts";
import { createMongoOneTimeTokenStore } from "./stores/one-time-token-store.ts";
import { createMongoSessionStore } from "./stores/session-store.ts";
import { createMongoUserStore } from "./stores/user-store.ts";
import { createAccessTokens } from "./tokens/access-tokens.ts";
import { createKeyCipher, type KeyCipher } from "./tokens/key-cipher.ts";
import { createKeyRing } from "./tokens/key-ring.ts";
import { createMongoKeyStore } from "./tokens/key-store.ts";

/** Pending outbox entries older than this are settled by the sweeper (writers give up at half). */
const outboxStaleMs = 60_000;
/** How often keys are synced (rotation, other instances' keys) and old facts purged. */
const maintenanceEveryMs = 60_000;
/** Post tombstones outlive any redelivery of the post's events (well beyond the topics' retention). */
const tombstoneRetentionMs = 30 * 86_400_000;

/** The signing keys of a database, shared by every instance and by the rotation command. */
export async function openKeyRing(db: Db, config: AuthConfig, logger: Logger, cipher?: KeyCipher) {
  if (!config.SIGNING_KEY_SECRET) {
    logger.warn("SIGNING_KEY_SECRET is not set: signing keys are sealed with a development secret");
  }
  return createKeyRing({
    store: createMongoKeyStore(db),
    cipher: cipher ?? (await openCipher(config)),
    rotationMs: config.SIGNING_KEY_ROTATION_HOURS * 3_600_000,
    tokenTtlMs: config.ACCESS_TOKEN_TTL_SECONDS * 1000,
  });
}

/** What seals secrets at rest (signing keys, TOTP secrets): AES-GCM under SIGNING_KEY_SECRET. */
const openCipher = (config: AuthConfig) => createKeyCipher(config.SIGNING_KEY_SECRET ?? developmentSigningSecret);

/** Connects to MongoDB and Kafka, creates indexes, topics and keys, and serves. `stop` drains and closes. */
export async function start(config: AuthConfig, logger: Logger = createLogger("auth", config.LOG_LEVEL)) {
  // While the server is unreachable an operation waits this long for it before failing (then answered 503):
  // short, so requests during an outage fail fast instead of piling up behind the 30 s default.
  const mongo = new MongoClient(config.MONGO_URL, { serverSelectionTimeoutMS: 1500, appName: "chirp-auth" });
  const db = mongo.db();
  const kafka = createKafka({ clientId: config.KAFKA_CLIENT_ID, brokers: config.KAFKA_BROKERS, logger });
  const admin = kafka.admin();
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  const cipher = await openCipher(config);
  // MongoDB and Kafka do not depend on each other: set both up at once (start-up time is a budget).
  const [keys] = await Promise.all([
    (async () => {
      await mongo.connect();
      await ensureIndexes(db);
      const ring = await openKeyRing(db, config, logger, cipher);
      await ring.sync();
      return ring;
    })(),
    (async () => {
      await admin.connect();
      await ensureTopics(admin, Topics, {
        prefix: config.KAFKA_TOPIC_PREFIX,
        partitions: config.KAFKA_TOPIC_PARTITIONS,
        replicationFactor: config.KAFKA_REPLICATION_FACTOR,
      });
      await producer.connect();
    })(),
  ]);
  const hasher = createPasswordHasher({
    concurrency: config.PASSWORD_HASH_CONCURRENCY,
    queue: config.PASSWORD_HASH_QUEUE,
  });
  // Makes the dummy hash that unknown e-mails are checked against, off the start-up path (a hash costs
  // ~50 ms); a login arriving first simply waits for the same hash.
  hasher.verify("warm up the dummy hash", null).catch((error: unknown) => logger.error({ err: error }, "dummy hash"));

  const outbox = tracedStore(createEventOutbox(db, outboxStaleMs), "outbox", "mongodb");
  const outboxStore = createMongoOutboxStore(db, {
    lease: createLease(db, "outbox-relay", newId(), 30_000),
    staleMs: outboxStaleMs,
  });
  const relay = startOutboxRelay({
    store: outboxStore,
    publisher: createPublisher(producer, config.KAFKA_TOPIC_PREFIX),
    logger: logger.child({ component: "outbox-relay" }),
  });
  outbox.onReady(() => relay.wake());

  const metrics = createMetrics("auth");
  const consumerSeries = consumerMetrics(metrics.registry);
  const { notifications, activity, memberships, notifier, consumer } = await startEventWork(config, {
    db,
    kafka,
    producer,
    logger,
    metrics: consumerSeries,
  });
  consumerSeries.watch(consumer);
  outboxMetrics(metrics.registry, () => outboxStore.backlog());
  consumerLagMetrics(metrics.registry, () => consumerLag(admin, config.KAFKA_GROUP_ID, consumer.topics));

  const readiness = createReadiness({
    mongodb: () => db.command({ ping: 1 }),
    kafka: kafkaCheck(admin, Topics, config.KAFKA_TOPIC_PREFIX),
    outbox: async () => {
      if (!relay.healthy()) throw new Error("the outbox relay cannot publish");
    },
    consumers: consumerCheck(consumer, config.CONSUMER_STALL_MS),
  });
  let server: Bun.Server<undefined> | undefined;
  // Spans for the calls a request spends its time in (pass-through when tracing is off).
  const users = tracedStore(createMongoUserStore(db, outbox), "users", "mongodb");
  const sessions = tracedStore(createMongoSessionStore(db), "sessions", "mongodb");
  const loginFailures = createMongoLoginFailureStore(db, outbox);
  const addressAttempts = createMongoAddressAttemptStore(db);
  const oneTimeTokens = createMongoOneTimeTokenStore(db);
  const mfa = createMongoMfaStore(db);
  const mail = createMailQueue(notifications, () => notifier.wake(), logger.child({ component: "mail" }));
  const addressWindowMs =
    Math.max(config.REGISTER_WINDOW_SECONDS, config.FORGOT_WINDOW_SECONDS, config.VERIFY_RESEND_WINDOW_SECONDS) * 1000;
  const app = createApp({
    logger,
    metrics,
    readiness,
    bodyLimitBytes: config.BODY_LIMIT_BYTES,
    corsOrigins: config.CORS_ORIGINS,
    users,
    sessions,
    loginFailures,
    addressAttempts,
    bans: createMongoBanStore(db, outbox),
    notifications,
    onNotification: () => notifier.wake(),
    oneTimeTokens,
    mfa,
    cipher,
    mail,
    activity,
    outbox,
    hasher,
    keys,
    tokens: createAccessTokens(keys, {
      issuer: config.JWT_ISSUER,
      audience: config.JWT_AUDIENCE,
      ttlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
    }),
    clientAddress: (request) => {
      const forwarded = config.TRUST_PROXY && request.headers.get("x-forwarded-for")?.split(",")[0]?.trim();
      return forwarded || (server?.requestIP(request)?.address ?? "unknown");
    },
    settings: {
      adminEmails: config.ADMIN_EMAILS,
      accessTokenTtlSeconds: config.ACCESS_TOKEN_TTL_SECONDS,
      refreshTokenTtlMs: config.REFRESH_TOKEN_TTL_DAYS * 86_400_000,
      userLookups: { concurrency: config.USER_LOOKUP_CONCURRENCY, queue: config.USER_LOOKUP_QUEUE },
      throttle: {
        windowMs: config.LOGIN_FAILURE_WINDOW_SECONDS * 1000,
        perAccount: config.LOGIN_MAX_FAILURES_PER_ACCOUNT,
        perAddress: config.LOGIN_MAX_FAILURES_PER_ADDRESS,
        accountSlowdownAfter: config.LOGIN_ACCOUNT_SLOWDOWN_AFTER,
        accountSlowdownMs: config.LOGIN_ACCOUNT_SLOWDOWN_MS,
      },
      registerLimit: { max: config.REGISTER_MAX_PER_ADDRESS, windowMs: config.REGISTER_WINDOW_SECONDS * 1000 },
      forgotLimit: { max: config.FORGOT_MAX_PER_ADDRESS, windowMs: config.FORGOT_WINDOW_SECONDS * 1000 },
      resendLimit: { max: config.VERIFY_RESEND_MAX, windowMs: config.VERIFY_RESEND_WINDOW_SECONDS * 1000 },
      emailVerification: config.EMAIL_VERIFICATION,
      appUrl: config.PUBLIC_APP_URL,
    },
  });
  const listener = listen({ hostname: config.HOST, port: config.PORT, fetch: app.fetch });
  server = listener.server;
  logger.info({ url: server.url.href }, "auth service listening");

  const maintenance = setInterval(async () => {
    try {
      await keys.sync();
      await loginFailures.purge(new Date(Date.now() - config.LOGIN_FAILURE_WINDOW_SECONDS * 1000));
      await addressAttempts.purge(new Date(Date.now() - addressWindowMs));
      await oneTimeTokens.purge(new Date(), new Date(Date.now() - spentRetentionMs));
      // A spent step only matters while its code could still be accepted (a minute and a half).
      await mfa.purgeSpent(new Date(Date.now() - 10 * 60_000));
      await sessions.purgeExpired(new Date());
      await memberships.purgeTombstones(new Date(Date.now() - tombstoneRetentionMs));
    } catch (error) {
      logger.warn({ err: error }, "maintenance failed; retrying at the next tick");
    }
  }, maintenanceEveryMs);

  const stop = () =>
    runShutdown(
      [
        { name: "http", run: () => listener.stop() },
        // Mails the last requests queue off their path, while MongoDB is still open.
        { name: "mail", run: () => mail.drain() },
        { name: "maintenance", run: async () => clearInterval(maintenance) },
        // Consumers commit their offsets and leave the group while the producer (for dead letters) is still up.
        { name: "consumers", run: () => consumer.stop() },
        { name: "notifications", run: () => notifier.stop() },
        { name: "outbox", run: () => relay.stop(config.SHUTDOWN_TIMEOUT_MS / 2) },
        { name: "outbox-lease", run: () => outboxStore.release() },
        { name: "kafka", run: () => Promise.all([producer.disconnect(), admin.disconnect()]) },
        { name: "mongodb", run: () => mongo.close() },
      ],
      logger,
      config.SHUTDOWN_TIMEOUT_MS,
    );
  return { url: server.url, db, keys, outboxStore, notifier, mail, stop };
}

if (import.meta.main) void runService({ name: "auth", loadConfig, start });
