import { SessionEvents, UserEvents } from "@chirp/contracts";
import { createServiceApp, problem } from "@chirp/platform/http";
import { createMetrics } from "@chirp/platform/metrics";
import { isDatabaseUnavailable } from "./db.ts";
import type { AuthDeps } from "./deps.ts";
import { RetryLaterError } from "./errors.ts";
import { authMetrics } from "./metrics.ts";
import { activityRoutes } from "./routes/activity.ts";
import { authRoutes } from "./routes/auth.ts";
import { jwksRoutes } from "./routes/jwks.ts";
import { meRoutes } from "./routes/me.ts";
import { notificationRoutes } from "./routes/notifications.ts";
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
    version: "0.1.0",
    logger: deps.logger,
    metrics,
    readiness: deps.readiness,
    bodyLimitBytes: deps.bodyLimitBytes,
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
  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
    description: "An access token from /api/auth/login, /register or /refresh (EdDSA, 15 minutes).",
  });
  // Sessions before the rest of /api/auth and /me before /:id, so the specific paths match first.
  return app
    .route("/api/auth/sessions", sessionRoutes(deps))
    .route("/api/auth", authRoutes(deps, series))
    .route("/api/users/me", meRoutes(deps))
    .route("/api/users", userRoutes(deps))
    .route("/api/notifications", notificationRoutes(deps))
    .route("/api/activity", activityRoutes(deps))
    .route("/api/stats", statsRoutes(deps))
    .route("/.well-known", jwksRoutes(deps));
}

/** The app's type, for typed clients through Hono's `hc`. */
export type AuthApp = ReturnType<typeof createApp>;
