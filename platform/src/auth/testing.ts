/** A token issuer for tests: real Ed25519 keys and signatures, standing in for the auth service. */

import type { AccessTokenClaims } from "@chirp/contracts";
import { exportJWK, generateKeyPair, type JWK, SignJWT } from "jose";

export interface TestIssuerOptions {
  issuer: string;
  audience: string;
}

/**
 * Signs access tokens as auth would (EdDSA, `kid` header) and publishes its public keys as a JWKS.
 * `rotate()` adds a fresh key and signs with it from then on, keeping the old one published.
 */
export async function createTestIssuer({ issuer, audience }: TestIssuerOptions) {
  const keys: { kid: string; privateKey: CryptoKey; jwk: JWK }[] = [];
  async function rotate() {
    const { publicKey, privateKey } = await generateKeyPair("EdDSA", { crv: "Ed25519", extractable: true });
    const kid = crypto.randomUUID();
    keys.push({ kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: "EdDSA", use: "sig" } });
    return kid;
  }
  await rotate();
  return {
    issuer,
    audience,
    rotate,
    jwks: () => ({ keys: keys.map((key) => key.jwk) }),
    /** A valid token for `sub` unless overridden; `expiresIn` in seconds (negative: already expired). */
    async sign(claims: Partial<AccessTokenClaims> & { sub: string }, expiresIn = 900) {
      const key = keys.at(-1);
      if (!key) throw new Error("no signing key");
      const now = Math.floor(Date.now() / 1000);
      return new SignJWT({ sid: crypto.randomUUID(), role: "user", ...claims })
        .setProtectedHeader({ alg: "EdDSA", kid: key.kid })
        .setIssuer(claims.iss ?? issuer)
        .setAudience(claims.aud ?? audience)
        .setJti(claims.jti ?? crypto.randomUUID())
        .setIssuedAt(claims.iat ?? now)
        .setExpirationTime(claims.exp ?? now + expiresIn)
        .sign(key.privateKey);
    },
  };
}

export type TestIssuer = Awaited<ReturnType<typeof createTestIssuer>>;
