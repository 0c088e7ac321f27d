import { bearerToken } from "@chirp/platform/auth/bearer";
import { problem } from "@chirp/platform/http";
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { HTTPException } from "hono/http-exception";
import type { AuthDeps, RouteEnv } from "../deps.ts";

/**
 * A 401 with its RFC 6750 challenge: `error="invalid_token"` when a credential was sent and refused, a bare
 * `Bearer` when none was sent (section 3.1: no error code then).
 */
export function unauthorized(c: Context, detail: string, challenge = 'Bearer error="invalid_token"'): HTTPException {
  const res = problem(c, 401, { detail });
  res.headers.set("www-authenticate", challenge);
  return new HTTPException(401, { res });
}

/**
 * Requires a valid access token whose session is still live, so a revoked session's tokens stop working
 * here at once, not when they expire.
 */
export const requireBearer = (deps: Pick<AuthDeps, "tokens" | "sessions">) =>
  createMiddleware<RouteEnv>(async (c, next) => {
    const token = bearerToken(c.req.header("authorization"));
    if (!token) throw unauthorized(c, "A bearer token is required.", "Bearer");
    const claims = await deps.tokens.verify(token);
    if (!claims) throw unauthorized(c, "The access token is invalid or expired.");
    const session = await deps.sessions.find(claims.sid);
    if (!session || session.userId !== claims.sub) throw unauthorized(c, "The session has ended.");
    c.set("principal", { userId: claims.sub, sessionId: claims.sid, role: claims.role });
    await next();
  });
