import type { AccessTokenClaims } from "@chirp/contracts";
import type { MiddlewareHandler } from "hono";
import { createMiddleware } from "hono/factory";
import { type AppEnv, problem } from "../http.ts";
import { InvalidTokenError, type TokenVerifier, VerifierUnavailableError } from "./token-verifier.ts";

/** What a route behind `bearerAuth` can read: the verified claims of the caller's token. */
export type AuthEnv = { Variables: { auth: AccessTokenClaims } };

export interface BearerAuthOptions {
  verifier: TokenVerifier;
  /** Refuses tokens of revoked sessions; must answer from memory, it runs on every request. */
  isRevoked?: (claims: AccessTokenClaims) => boolean;
}

/** The OpenAPI security scheme that routes behind `bearerAuth` name. */
export const bearerSecurityScheme = { type: "http", scheme: "bearer", bearerFormat: "JWT" } as const;

/**
 * The token of an `Authorization: Bearer <token>` header (the scheme in any case), or undefined. A token
 * with spaces inside is passed on and fails verification; no regular expression scans every token.
 */
export function bearerToken(header: string | undefined) {
  if (!header || header.length < 8 || header.slice(0, 7).toLowerCase() !== "bearer ") return undefined;
  return header.slice(7).trim() || undefined;
}

/**
 * Requires `Authorization: Bearer <access token>`: 401 problem (with `WWW-Authenticate`) when it is missing,
 * invalid, expired or revoked; 503 when the signing keys cannot be fetched.
 */
export function bearerAuth({ verifier, isRevoked }: BearerAuthOptions) {
  return createMiddleware<AppEnv & AuthEnv>((c, next) => {
    const refuse = (detail: string) => {
      c.header("WWW-Authenticate", 'Bearer error="invalid_token"');
      return problem(c, 401, { detail });
    };
    const admit = (claims: AccessTokenClaims): ReturnType<MiddlewareHandler> => {
      if (isRevoked?.(claims)) return Promise.resolve(refuse("The session of this access token was revoked."));
      c.set("auth", claims);
      return next();
    };
    const token = bearerToken(c.req.header("authorization"));
    if (!token) {
      c.header("WWW-Authenticate", "Bearer");
      return Promise.resolve(problem(c, 401, { detail: "A bearer access token is required." }));
    }
    // A token verified before is admitted without a round through the event loop.
    const remembered = verifier.remembered?.(token);
    if (remembered) return admit(remembered);
    return verifier.verify(token).then(admit, (error: unknown) => {
      if (error instanceof InvalidTokenError) return refuse("The access token is invalid or expired.");
      if (error instanceof VerifierUnavailableError) {
        c.env.logger.warn({ err: error }, "cannot verify tokens");
        return problem(c, 503, { detail: "Tokens cannot be verified right now; try again shortly." });
      }
      throw error;
    });
  });
}
