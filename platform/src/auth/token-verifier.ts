import { AccessTokenClaims, issuedInThePast } from "@chirp/contracts";
import { createRemoteJWKSet, errors, jwtVerify } from "jose";
import { cacheVerified } from "./verified-cache.ts";

/** Why a token was refused: the caller answers 401. */
export class InvalidTokenError extends Error {
  override name = "InvalidTokenError";
}

/** The keys could not be fetched, so no token can be judged: the caller answers 503, not 401. */
export class VerifierUnavailableError extends Error {
  override name = "VerifierUnavailableError";
}

export interface TokenVerifierOptions {
  /** Where the issuer publishes its public keys, e.g. `${AUTH_URL}/.well-known/jwks.json`. */
  jwksUrl: string;
  issuer: string;
  audience: string;
  /** Asymmetric algorithms only; anything else (`none`, HS256 with a public key as secret...) is refused. */
  algorithms?: ("EdDSA" | "ES256")[];
  /** Least time between two fetches of the key set; an unknown `kid` refetches once this has passed. */
  cooldownMs?: number;
  /** How long a fetched key set is trusted before it is fetched again. */
  cacheMaxAgeMs?: number;
  timeoutMs?: number;
  /** Verified tokens remembered until they expire (0: verify every time). */
  cacheSize?: number;
}

export interface TokenVerifier {
  /** The token's claims, or InvalidTokenError / VerifierUnavailableError. */
  verify(token: string): Promise<AccessTokenClaims>;
  /** The claims of a token verified before and unexpired, if the verifier keeps them (answers synchronously). */
  remembered?(token: string): AccessTokenClaims | undefined;
}

// Errors that say "this token is bad", as opposed to "the key server could not be asked".
const refusals = [
  errors.JWTExpired,
  errors.JWTClaimValidationFailed,
  errors.JWTInvalid,
  errors.JWSInvalid,
  errors.JWSSignatureVerificationFailed,
  errors.JWKSNoMatchingKey,
  errors.JWKSMultipleMatchingKeys,
  errors.JOSEAlgNotAllowed,
  errors.JOSENotSupported,
];

/**
 * Verifies access tokens against the issuer's JWKS: fetched lazily, cached, refetched on an unknown `kid`
 * (at most once per cooldown), algorithm allow-listed, `iss`/`aud`/`exp` checked and `iat` in the past (`issuedInThePast`), claims validated.
 */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const keys = createRemoteJWKSet(new URL(options.jwksUrl), {
    cooldownDuration: options.cooldownMs ?? 5_000,
    cacheMaxAge: options.cacheMaxAgeMs ?? 10 * 60_000,
    timeoutDuration: options.timeoutMs ?? 2_000,
  });
  const algorithms = options.algorithms ?? ["EdDSA", "ES256"];
  const verifier: TokenVerifier = {
    async verify(token) {
      let payload: unknown;
      try {
        ({ payload } = await jwtVerify(token, keys, {
          issuer: options.issuer,
          audience: options.audience,
          algorithms,
          requiredClaims: ["exp", "sub", "sid"],
        }));
      } catch (error) {
        if (refusals.some((kind) => error instanceof kind)) throw new InvalidTokenError((error as Error).message);
        throw new VerifierUnavailableError(`signing keys unavailable: ${(error as Error).message}`);
      }
      const claims = AccessTokenClaims.safeParse(payload);
      if (!claims.success) throw new InvalidTokenError("the token's claims do not match the contract");
      if (!issuedInThePast(claims.data.iat)) throw new InvalidTokenError("the token's iat is in the future or too old");
      return claims.data;
    },
  };
  const cacheSize = options.cacheSize ?? 10_000;
  return cacheSize > 0 ? cacheVerified(verifier, cacheSize) : verifier;
}
