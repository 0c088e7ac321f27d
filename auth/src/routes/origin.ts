import type { EventOrigin } from "@chirp/contracts";
import type { Context } from "hono";
import type { RouteEnv } from "../deps.ts";

/** Events carry the request id that caused them, so a change can be traced across services. */
export const originOf = (c: Context<RouteEnv>): EventOrigin => ({ source: "auth", correlationId: c.env.requestId });
