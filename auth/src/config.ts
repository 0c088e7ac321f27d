import { maxAccessTokenLifetimeSeconds } from "@chirp/contracts";
import { CommonEnv, env, parseEnv } from "@chirp/platform/config";
import { z } from "zod";

const cores = Math.max(1, navigator.hardwareConcurrency || 1);

/** The auth service's environment. Every variable is documented in .env.example (see docs/configuration.md). */
export const AuthEnv = CommonEnv.extend({
  PORT: env.port(3001),
  MONGO_URL: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, "must be a mongodb:// or mongodb+srv:// URL")
    .default("mongodb://127.0.0.1:27017/chirp_auth?directConnection=true&retryWrites=false"),
  KAFKA_CLIENT_ID: z.string().min(1).default("auth"),
  KAFKA_GROUP_ID: z.string().min(1).default("auth"),
  /**
   * Partitions each consumer handles at once (order within a partition is always kept); their chunks are
   * group committed. With 6 (the topics' default partition count), post.created -> postCount lag at 1,000
   * events/s was p50 21-54 ms; with 1, 96-134 ms (bench event-lag).
   */
  KAFKA_CONSUMER_CONCURRENCY: env.int(6, 1, 100),
  /**
   * Longest a fetch waits at the broker when nothing is there. Unlike post's, 100 ms: with group commit the
   * lag was the same at 10 ms (p50 52-54 ms), and the empty fetches cost ~10 MiB of idle RSS.
   */
  KAFKA_FETCH_MAX_WAIT_MS: env.int(100, 1, 10_000),
  /** `production` (as the images set it) refuses to start without a real SIGNING_KEY_SECRET. */
  NODE_ENV: z.enum(["development", "test", "production"]).default("development"),
  /** Encrypts the signing keys at rest. Unset only in development: a fixed key is used with a warning. */
  SIGNING_KEY_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
  SIGNING_KEY_ROTATION_HOURS: env.int(24 * 7, 1),
  ACCESS_TOKEN_TTL_SECONDS: env.int(15 * 60, 30, maxAccessTokenLifetimeSeconds),
  REFRESH_TOKEN_TTL_DAYS: env.int(30, 1, 365),
  /** Accounts whose (normalised) e-mail is listed get the `admin` role, once the address is verified. */
  ADMIN_EMAILS: env.list("").transform((emails) => emails.map((email) => email.toLowerCase())),
  /**
   * Hashes in flight. One core is left to the event loop (and whatever shares the machine): with every core
   * hashing, a login overload on 2 cores took GET /api/posts p99 to 3.7-6.5x its unloaded value and refusals to
   * a 40-54 ms p99; with one hash at a time, 0.7-1.5x and 15-45 ms, for 9-16 logins/s instead of 16-17
   * (bench login scenario; the machine is CPU-bound either way).
   */
  PASSWORD_HASH_CONCURRENCY: env.int(Math.max(1, cores - 1), 1, 256),
  PASSWORD_HASH_QUEUE: env.int(cores * 4, 0, 10_000),
  LOGIN_FAILURE_WINDOW_SECONDS: env.int(15 * 60, 1),
  /** Failures for one account from one address within the window before that address gets 429 for it. */
  LOGIN_MAX_FAILURES_PER_ACCOUNT: env.int(5, 1),
  LOGIN_MAX_FAILURES_PER_ADDRESS: env.int(50, 1),
  /** Failures for one account from all addresses within the window past which its checks are slowed. */
  LOGIN_ACCOUNT_SLOWDOWN_AFTER: env.int(20, 1),
  LOGIN_ACCOUNT_SLOWDOWN_MS: env.int(1_000, 0, 60_000),
  /** Registrations accepted from one client address per window; more answer 429. */
  REGISTER_MAX_PER_ADDRESS: env.int(10, 1),
  REGISTER_WINDOW_SECONDS: env.int(3600, 1),
  /** Forgot-password requests accepted from one client address per window; more answer 429. */
  FORGOT_MAX_PER_ADDRESS: env.int(10, 1),
  FORGOT_WINDOW_SECONDS: env.int(3600, 1),
  /** Verification mails one account may ask for again per window; more answer 429. */
  VERIFY_RESEND_MAX: env.int(5, 1),
  VERIFY_RESEND_WINDOW_SECONDS: env.int(3600, 1),
  /**
   * `optional`: unverified accounts sign in (and are never admin); `required`: login answers 403 until the
   * address is verified (the link mailed on register, or a password reset, which proves the address too).
   */
  EMAIL_VERIFICATION: z.enum(["required", "optional"]).default("optional"),
  /**
   * Batch lookups (`POST /api/users/batch`, open to anyone) in flight, and how many more may wait before one
   * is refused fast with 503: unbounded, 20 loops of 100-id batches slowed everyone's `/me` from 11 to 254 ms.
   */
  USER_LOOKUP_CONCURRENCY: env.int(2, 1, 256),
  USER_LOOKUP_QUEUE: env.int(8, 0, 10_000),
  /** Read the client address from `X-Forwarded-For` (only behind a proxy that sets it). */
  TRUST_PROXY: env.bool(false),
  /**
   * Where e-mails go (smtp:// or smtps://, credentials in the URL): `scripts/up` points it at the local Mailpit.
   * Unset: they are written to the log and their notifications marked `logged`, never `sent`.
   */
  SMTP_URL: z
    .string()
    .regex(/^smtps?:\/\//, "must be an smtp:// or smtps:// URL")
    .optional(),
  /** The app users act in: every link in an e-mail is built under it (set it to the public origin in production). */
  PUBLIC_APP_URL: z
    .url({ protocol: /^https?$/, error: "must be an http:// or https:// URL" })
    .default("http://localhost:3000"),
  MAIL_FROM: z.string().min(3).default("Chirp <no-reply@chirp.local>"),
  /** Delivery attempts of one notification before it is marked failed. */
  NOTIFY_MAX_ATTEMPTS: env.int(8, 1, 100),
  /** Backoff between attempts: doubles from the first delay up to the ceiling. */
  NOTIFY_BACKOFF_INITIAL_MS: env.int(5_000, 1),
  NOTIFY_BACKOFF_MAX_MS: env.int(15 * 60_000, 1),
  /** How often the delivery worker looks for due notifications (new ones also wake it at once). */
  NOTIFY_SCAN_EVERY_MS: env.int(5_000, 10),
  /** A delivery claim older than this is taken to be from a crashed instance; far above the SMTP timeouts. */
  NOTIFY_CLAIM_TTL_MS: env.int(120_000, 100),
  /** Attempts per consumed event before it goes to the dead-letter topic, and the first retry delay. */
  CONSUMER_RETRY_ATTEMPTS: env.int(5, 1, 100),
  CONSUMER_RETRY_INITIAL_MS: env.int(100, 1),
});
export type AuthConfig = z.output<typeof AuthEnv>;

/** Seals the signing keys when SIGNING_KEY_SECRET is unset: public, so for development only. */
export const developmentSigningSecret = "chirp-development-signing-key-secret-not-for-production";

/**
 * Why a signing secret cannot protect production keys, or undefined. Whoever can read the `signing_keys`
 * collection and knows the secret can mint any token (an admin's too), so a missing, public or placeholder
 * secret (the Kubernetes example's `REPLACE-with-...`) stops the service instead of starting it.
 */
function weakSigningSecret(secret: string | undefined) {
  if (!secret) return "is required when NODE_ENV=production (32+ random characters, e.g. openssl rand -base64 48)";
  if (secret === developmentSigningSecret || /replace|change.?me|example|placeholder/i.test(secret)) {
    return "is a placeholder; set 32+ random characters (e.g. openssl rand -base64 48)";
  }
  if (new Set(secret).size < 12) return "is too uniform to be random (fewer than 12 distinct characters)";
  return undefined;
}

const AuthEnvChecked = AuthEnv.superRefine((config, ctx) => {
  const weakness = config.NODE_ENV === "production" ? weakSigningSecret(config.SIGNING_KEY_SECRET) : undefined;
  if (weakness) ctx.addIssue({ code: "custom", path: ["SIGNING_KEY_SECRET"], message: weakness });
});

export const loadConfig = (environment: Record<string, string | undefined>): AuthConfig =>
  parseEnv(AuthEnvChecked, environment);
