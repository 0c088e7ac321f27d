import { bearerAuth } from "@chirp/platform/auth/bearer";
import { InvalidTokenError, type TokenVerifier } from "@chirp/platform/auth/token-verifier";
import type { AuthDeps } from "../deps.ts";

/**
 * Auth's binding of the shared bearer middleware: tokens are verified against the service's own key ring,
 * and the session is looked up on every request, so a revoked session's tokens stop working here at once,
 * not when they expire. (Post binds the same middleware to its JWKS verifier and an in-memory revocation list.)
 */
export function requireBearer(deps: Pick<AuthDeps, "tokens" | "sessions">) {
  const verifier: TokenVerifier = {
    async verify(token) {
      const claims = await deps.tokens.verify(token);
      if (!claims) throw new InvalidTokenError("invalid or expired access token");
      return claims;
    },
  };
  return bearerAuth({
    verifier,
    isRevoked: async (claims) => (await deps.sessions.find(claims.sid))?.userId !== claims.sub,
  }).middleware;
}
