import type { CallerEnv } from "@chirp/platform/auth/bearer";
import type { AppEnv } from "@chirp/platform/http";
import type { Logger } from "@chirp/platform/logger";
import type { Metrics } from "@chirp/platform/metrics";
import type { Readiness } from "@chirp/platform/readiness";
import type { AddressLimit, ThrottleLimits } from "./accounts/throttle.ts";
import type { EventOutbox } from "./events/outbox.ts";
import type { MailQueue } from "./notifications/mail-queue.ts";
import type { PasswordHasher } from "./passwords/hasher.ts";
import type { ActivityStore } from "./stores/activity-store.ts";
import type { AddressAttemptStore } from "./stores/address-attempt-store.ts";
import type { BanStore } from "./stores/ban-store.ts";
import type { LoginFailureStore } from "./stores/login-failure-store.ts";
import type { MfaStore } from "./stores/mfa-store.ts";
import type { NotificationStore } from "./stores/notification-store.ts";
import type { OneTimeTokenStore } from "./stores/one-time-token-store.ts";
import type { SessionStore } from "./stores/session-store.ts";
import type { UserStore } from "./stores/user-store.ts";
import type { AccessTokens } from "./tokens/access-tokens.ts";
import type { KeyCipher } from "./tokens/key-cipher.ts";
import type { KeyRing } from "./tokens/key-ring.ts";

/** Everything the HTTP app needs, as narrow interfaces; `main.ts` builds the real ones. */
export interface AuthDeps {
  logger: Logger;
  /** The service's Prometheus registry, shared with its consumers (a fresh one when absent). */
  metrics?: Metrics;
  readiness: Readiness;
  bodyLimitBytes: number;
  /** Browser origins allowed to call the API (CORS); none when absent. */
  corsOrigins?: readonly string[];
  users: UserStore;
  sessions: SessionStore;
  loginFailures: LoginFailureStore;
  addressAttempts: AddressAttemptStore;
  bans: BanStore;
  notifications: NotificationStore;
  /** Told when a request queued a notification (a lockout notice), so delivery starts at once. */
  onNotification?: () => void;
  /** Verification, reset and e-mail change tokens. */
  oneTimeTokens: OneTimeTokenStore;
  /** TOTP secrets (sealed with `cipher`), spent steps and recovery codes. */
  mfa: MfaStore;
  /** Seals secrets at rest (the signing keys' cipher, under SIGNING_KEY_SECRET). */
  cipher: KeyCipher;
  mail: MailQueue;
  activity: ActivityStore;
  outbox: EventOutbox;
  hasher: PasswordHasher;
  tokens: AccessTokens;
  keys: KeyRing;
  /** The caller's address, for throttling (the socket peer, or the proxy's `X-Forwarded-For`). */
  clientAddress: (request: Request) => string;
  settings: {
    adminEmails: readonly string[];
    accessTokenTtlSeconds: number;
    refreshTokenTtlMs: number;
    throttle: ThrottleLimits;
    /** Registrations from one client address. */
    registerLimit: AddressLimit;
    /** Forgot-password requests from one client address. */
    forgotLimit: AddressLimit;
    /** Verification mails one account may ask for again. */
    resendLimit: AddressLimit;
    /** `required`: login is refused (403) until the address is verified. */
    emailVerification: "required" | "optional";
    /** `PUBLIC_APP_URL`: links in mails (verification, reset, lockout notices) point under it. */
    appUrl: string;
    /** Bounds `POST /api/users/batch`: lookups in flight, and how many may wait (more: 503). */
    userLookups: { concurrency: number; queue: number };
  };
}

export type RouteEnv = AppEnv & CallerEnv;
