import type { MiddlewareHandler } from "hono";
import { cors } from "hono/cors";

/**
 * CORS for the browser apps of an allow-list of origins: they may call with a bearer token and read the
 * answers, problems included. A request from any other origin gets no CORS header at all (its preflight
 * falls through to the 404 of an unknown route), so the browser refuses it.
 */
export function corsFor(origins: readonly string[]): MiddlewareHandler {
  const allowed = new Set(origins);
  const allow = cors({
    origin: (origin) => origin,
    allowHeaders: ["Authorization", "Content-Type", "X-Request-Id"],
    // What a browser app may read beyond the simple headers: its request id, when to retry, why a token failed.
    exposeHeaders: ["X-Request-Id", "Retry-After", "WWW-Authenticate"],
    maxAge: 600,
  });
  return async (c, next) => {
    if (allowed.has(c.req.header("origin") ?? "")) return allow(c, next);
    await next();
    // The answer depends on the origin, so a cache must not hand one origin's answer to another.
    c.header("Vary", "Origin", { append: true });
  };
}
