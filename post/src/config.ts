import { CommonEnv, env, parseEnv } from "@chirp/platform/config";
import { z } from "zod";

/** The post service's environment. Every variable is documented in .env.example (see docs/configuration.md). */
export const PostEnv = CommonEnv.extend({
  PORT: env.port(3002),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// URL")
    .default("postgres://postgres@127.0.0.1:5432/chirp_post"),
  DATABASE_POOL_MAX: env.int(10, 1, 500),
  /** Where the auth service answers: its JWKS and batch user lookup. */
  AUTH_URL: z.url().default("http://127.0.0.1:3001"),
  KAFKA_CLIENT_ID: z.string().min(1).default("post"),
  KAFKA_GROUP_ID: z.string().min(1).default("post"),
  /**
   * Partitions each consumer handles at once (order within a partition is always kept). As many as the
   * topics' default partition count: one member alone works on all of them at once.
   */
  KAFKA_CONSUMER_CONCURRENCY: env.int(6, 1, 100),
  /**
   * Longest a fetch waits at the broker for data. 10 ms measured p50 register -> author lag at 1,000 events/s
   * 19-20 ms against 21-26 ms at 100 ms (bench event-lag, alternating runs); the price, per idle instance, is
   * up to 100 empty fetches a second: ~7% of a core and ~8 MiB resident more than at 100 ms.
   */
  KAFKA_FETCH_MAX_WAIT_MS: env.int(10, 1, 10_000),
  /** Longest wait for auth's batch user lookup before the page is answered with 503. */
  AUTH_TIMEOUT_MS: env.int(2000, 50),
  AUTHOR_CACHE_TTL_MS: env.int(60_000, 0),
  AUTHOR_CACHE_MAX: env.int(10_000, 1),
  /** How often each instance rereads the revocations table (beside LISTEN/NOTIFY, which is immediate). */
  REVOCATION_RELOAD_MS: env.int(30_000, 100),
  /** How long a revocation is kept in memory and in the table; longer than an access token lives (15 minutes). */
  REVOCATION_RETENTION_MS: env.int(60 * 60_000, 60_000),
  /**
   * How long a consumed event's id is remembered, to recognise a redelivery: longer than the topics keep
   * events (Kafka's default is 7 days). Older ids are purged hourly.
   */
  INBOX_RETENTION_HOURS: env.int(14 * 24, 1),
});
export type PostConfig = z.output<typeof PostEnv>;

export const loadConfig = (environment: Record<string, string | undefined>): PostConfig =>
  parseEnv(PostEnv, environment);
