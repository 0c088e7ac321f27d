import { createServiceApp } from "@chirp/platform/http";
import type { Logger } from "@chirp/platform/logger";
import type { Readiness } from "@chirp/platform/readiness";

export interface PostDeps {
  logger: Logger;
  readiness: Readiness;
  bodyLimitBytes: number;
}

/** The post service's HTTP app: pure wiring, no I/O. */
export function createApp(deps: PostDeps) {
  return createServiceApp({ service: "post", version: "0.1.0", ...deps });
}

/** The app's type, for typed clients through Hono's `hc`. */
export type PostApp = ReturnType<typeof createApp>;
