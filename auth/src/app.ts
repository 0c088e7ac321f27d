import { SessionEvents, UserEvents } from "@chirp/contracts";
import { createServiceApp, problem } from "@chirp/platform/http";
import { createMetrics } from "@chirp/platform/metrics";
import { version } from "../package.json";
import { isDatabaseUnavailable } from "./db.ts";
import type { AuthDeps } from "./deps.ts";
import { RetryLaterError } from "./errors.ts";
import { authMetrics } from "./metrics.ts";
import { activityRoutes } from "./routes/activity.ts";
import { adminUserRoutes } from "./routes/admin-users.ts";
import { authRoutes } from "./routes/auth.ts";
import { emailRoutes } from "./routes/email.ts";
import { emailChangeRoutes } from "./routes/email-change.ts";
import { jwksRoutes } from "./routes/jwks.ts";
import { meRoutes } from "./routes/me.ts";
import { mfaRoutes } from "./routes/mfa.ts";
import { notificationRoutes } from "./routes/notifications.ts";
import { passwordResetRoutes } from "./routes/password-reset.ts";
import { sessionRoutes } from "./routes/sessions.ts";
import { statsRoutes } from "./routes/stats.ts";
import { userRoutes } from "./routes/users.ts";

export type { AuthDeps } from "./deps.ts";

/** The auth service's HTTP app: pure wiring, no I/O. */
export function createApp(deps: AuthDeps) {
  const metrics = deps.metrics ?? createMetrics("auth");
  const series = authMetrics(metrics.registry, deps);
  const app = createServiceApp({
    service: "auth",
    version,
    tags: [
      { name: "auth", description: "Registration, login and the refresh-token lifecycle." },
      { name: "sessions", description: "The caller's sessions, one per login." },
      { name: "me", description: "The caller's own account." },
      { name: "users", description: "Public profiles." },
      { name: "notifications", description: "What the service mailed the caller, with its delivery status." },
      { name: "activity", description: "The caller's activity, and the admins' event counts." },
      { name: "mfa", description: "The caller's TOTP second factor and its recovery codes." },
      { name: "admin", description: "User management for admins: search, ban, unlock, delete (each audited)." },
      { name: "keys", description: "The public keys that verify access tokens." },
    ],
    logger: deps.logger,
    metrics,
    readiness: deps.readiness,
    bodyLimitBytes: deps.bodyLimitBytes,
    corsOrigins: deps.corsOrigins,
    produces: [UserEvents, SessionEvents],
    mapError: (error, c) => {
      // An outage of the database is the caller's cue to retry, not a bug of ours: 503, not 500.
      if (isDatabaseUnavailable(error)) {
        const res = problem(c, 503, { detail: "The database is unavailable; try again shortly." });
        res.headers.set("retry-after", "1");
        return res;
      }
      if (!(error instanceof RetryLaterError)) return undefined;
      const res = problem(c, error.status, { detail: error.message });
      res.headers.set("retry-after", String(error.retryAfterSeconds));
      return res;
    },
  });
  // Sessions before the rest of /api/auth and /me before /:id, so the specific paths match first.
  return app
    .route("/api/auth/sessions", sessionRoutes(deps))
    .route("/api/auth/email", emailRoutes(deps))
    .route("/api/auth/password", passwordResetRoutes(deps))
    .route("/api/auth/mfa/totp", mfaRoutes(deps))
    .route("/api/auth", authRoutes(deps, series))
    .route("/api/users/me/email", emailChangeRoutes(deps))
    .route("/api/users/me", meRoutes(deps))
    .route("/api/users", userRoutes(deps))
    .route("/api/notifications", notificationRoutes(deps))
    .route("/api/activity", activityRoutes(deps))
    .route("/api/stats", statsRoutes(deps))
    .route("/api/admin/users", adminUserRoutes(deps))
    .route("/.well-known", jwksRoutes(deps));
}

/** The app's type, for typed clients through Hono's `hc`. */
export type AuthApp = ReturnType<typeof createApp>;
