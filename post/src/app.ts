import { type AccessTokenClaims, PostEvents } from "@chirp/contracts";
import { bearerAuth } from "@chirp/platform/auth/bearer";
import type { TokenVerifier } from "@chirp/platform/auth/token-verifier";
import { createServiceApp, problem } from "@chirp/platform/http";
import type { Logger } from "@chirp/platform/logger";
import type { Metrics } from "@chirp/platform/metrics";
import type { Readiness } from "@chirp/platform/readiness";
import { version } from "../package.json";
import { isDatabaseUnavailable } from "./database-errors.ts";
import { DirectoryUnavailableError, type UserDirectory } from "./directory/user-directory.ts";
import { postRoutes } from "./routes/posts.ts";
import { whoamiRoutes } from "./routes/whoami.ts";
import { AuthorDeletedError, type PostStore } from "./stores/post-store.ts";

export interface PostDeps {
  logger: Logger;
  /** The service's Prometheus registry, shared with its consumers (a fresh one when absent). */
  metrics?: Metrics;
  readiness: Readiness;
  bodyLimitBytes: number;
  /** Browser origins allowed to call the API (CORS); none when absent. */
  corsOrigins?: readonly string[];
  posts: PostStore;
  /** Auth's batch user lookup (cached), for authors the projection does not know yet. */
  directory: UserDirectory;
  verifier: TokenVerifier;
  /** Answers from memory whether a token's session was revoked. */
  isRevoked: (claims: AccessTokenClaims) => boolean;
}

/** The post service's HTTP app: pure wiring, no I/O. */
export function createApp(deps: PostDeps) {
  const app = createServiceApp({
    service: "post",
    version,
    tags: [
      { name: "posts", description: "Posts with their authors: public reads, the author's writes." },
      { name: "identity", description: "Who this service takes the caller to be." },
    ],
    logger: deps.logger,
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
    readiness: deps.readiness,
    bodyLimitBytes: deps.bodyLimitBytes,
    corsOrigins: deps.corsOrigins,
    produces: [PostEvents],
    mapError: (error, c) => {
      if (error instanceof DirectoryUnavailableError) {
        c.env.logger.warn({ err: error }, "author lookup failed");
        return problem(c, 503, { detail: "Authors cannot be looked up right now; try again shortly." });
      }
      // An outage of the database is the caller's cue to retry, not a bug of ours: 503, not 500.
      if (isDatabaseUnavailable(error)) {
        c.env.logger.warn({ err: error }, "database unavailable");
        return problem(c, 503, { detail: "The database is unavailable; try again shortly." });
      }
      if (error instanceof AuthorDeletedError) return problem(c, 403, { detail: "This account is deleted." });
      return undefined;
    },
  });
  const auth = bearerAuth({ verifier: deps.verifier, isRevoked: deps.isRevoked });
  return app
    .route("/api/posts", postRoutes({ posts: deps.posts, directory: deps.directory, requireAuth: auth.middleware }))
    .route("/api/whoami", whoamiRoutes(auth));
}

/** The app's type, for typed clients through Hono's `hc`. */
export type PostApp = ReturnType<typeof createApp>;
