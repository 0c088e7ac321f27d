import { AccessTokenClaims, issuedInThePast, type Role } from "@chirp/contracts";
import { decodeProtectedHeader, jwtVerify, SignJWT } from "jose";
import { newId } from "../ids.ts";
import { type KeyRing, signingAlgorithm } from "./key-ring.ts";

export interface AccessTokenSettings {
  issuer: string;
  audience: string;
  ttlSeconds: number;
}

export interface AccessTokens {
  issue(subject: {
    userId: string;
    sessionId: string;
    role: Role;
    emailVerified: boolean;
    amr: readonly string[];
  }): Promise<string>;
  /** The token's claims, or null for any token that is not one of ours and alive. */
  verify(token: string): Promise<AccessTokenClaims | null>;
}

export function createAccessTokens(keys: KeyRing, settings: AccessTokenSettings): AccessTokens {
  return {
    async issue({ userId, sessionId, role, emailVerified, amr }) {
      const { kid, key } = await keys.signingKey();
      return new SignJWT({ sid: sessionId, role, emailVerified, amr: [...amr] })
        .setProtectedHeader({ alg: signingAlgorithm, kid, typ: "JWT" })
        .setIssuer(settings.issuer)
        .setAudience(settings.audience)
        .setSubject(userId)
        .setJti(newId())
        .setIssuedAt()
        .setExpirationTime(`${settings.ttlSeconds}s`)
        .sign(key);
    },
    async verify(token) {
      try {
        const { kid } = decodeProtectedHeader(token);
        if (typeof kid !== "string") return null;
        const key = await keys.verificationKey(kid);
        if (!key) return null;
        // The algorithm is allow-listed, so `alg: none` and HS256-with-the-public-key never get this far.
        const { payload } = await jwtVerify(token, key, {
          algorithms: [signingAlgorithm],
          issuer: settings.issuer,
          audience: settings.audience,
          requiredClaims: ["sub", "sid", "jti", "exp", "iat"],
        });
        const claims = AccessTokenClaims.safeParse(payload);
        return claims.success && issuedInThePast(claims.data.iat) ? claims.data : null;
      } catch {
        return null;
      }
    },
  };
}
