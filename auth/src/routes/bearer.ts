import { problem } from "@chirp/platform/http";
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { HTTPException } from "hono/http-exception";
import type { AuthDeps, RouteEnv } from "../deps.ts";

/** A 401 that tells clients (RFC 6750) to get a new token. */
export function unauthorized(c: Context, detail: string): HTTPException {
  const res = problem(c, 401, { detail });
  res.headers.set("www-authenticate", 'Bearer error="invalid_token"');
  return new HTTPException(401, { res });
}

/**
 * Requires a valid access token whose session is still live, so a revoked session's tokens stop working
 * here at once, not when they expire.
 */
export const requireBearer = (deps: Pick<AuthDeps, "tokens" | "sessions">) =>
  createMiddleware<RouteEnv>(async (c, next) => {
    const match = /^Bearer\s+(\S+)$/i.exec(c.req.header("authorization") ?? "");
    if (!match?.[1]) throw unauthorized(c, "A bearer token is required.");
    const claims = await deps.tokens.verify(match[1]);
    if (!claims) throw unauthorized(c, "The access token is invalid or expired.");
    const session = await deps.sessions.find(claims.sid);
    if (!session || session.userId !== claims.sub) throw unauthorized(c, "The session has ended.");
    c.set("principal", { userId: claims.sub, sessionId: claims.sid, role: claims.role });
    await next();
  });
