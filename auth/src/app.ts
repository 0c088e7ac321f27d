import { createServiceApp } from "@chirp/platform/http";
import type { Logger } from "@chirp/platform/logger";
import type { Readiness } from "@chirp/platform/readiness";

export interface AuthDeps {
  logger: Logger;
  readiness: Readiness;
  bodyLimitBytes: number;
}

/** The auth service's HTTP app: pure wiring, no I/O. */
export function createApp(deps: AuthDeps) {
  return createServiceApp({ service: "auth", version: "0.1.0", ...deps });
}

/** The app's type, for typed clients through Hono's `hc`. */
export type AuthApp = ReturnType<typeof createApp>;
