/**
 * Tokens an attacker could present, built for the JWT battery: unsigned, HMAC-signed with the public key,
 * signed by a key of their own, expired or tampered, and (as the control that proves the forging works) a
 * valid one signed with the service's real key read from its database.
 */

import { loadConfig, openKeyRing } from "@chirp/auth/testing";
import { createLogger } from "@chirp/platform/logger";
import { base64url, exportJWK, generateKeyPair, SignJWT } from "jose";
import type { Db } from "mongodb";

export interface Claims {
  sub: string;
  sid: string;
  role?: string;
}

const issuer = "chirp-auth";
const audience = "chirp";

function payload({ sub, sid, role = "user" }: Claims, expiresIn: number) {
  const now = Math.floor(Date.now() / 1000);
  return { iss: issuer, aud: audience, sub, sid, role, jti: crypto.randomUUID(), iat: now, exp: now + expiresIn };
}

const encode = (value: unknown) => base64url.encode(JSON.stringify(value));

export async function forgeTokens(
  auth: { db: Db; signingKeySecret: string },
  jwks: { keys: { kid: string }[] },
  claims: Claims,
) {
  const config = loadConfig({ SIGNING_KEY_SECRET: auth.signingKeySecret });
  const keys = await openKeyRing(auth.db, config, createLogger("e2e-forge", "silent"));
  const real = await keys.signingKey();
  const sign = (body: Record<string, unknown>, kid = real.kid) =>
    new SignJWT(body).setProtectedHeader({ alg: "EdDSA", kid, typ: "JWT" }).sign(real.key);
  const { kid } = jwks.keys[0] as { kid: string };
  const own = await generateKeyPair("EdDSA", { crv: "Ed25519" });
  const valid = await sign(payload(claims, 300));
  const [header, body] = valid.split(".") as [string, string, string];
  const bodyJson = JSON.parse(new TextDecoder().decode(base64url.decode(body)));
  return {
    valid,
    forged: {
      "alg none": `${encode({ alg: "none", kid, typ: "JWT" })}.${encode(payload(claims, 300))}.`,
      "HS256 with the public key as secret": await new SignJWT(payload(claims, 300))
        .setProtectedHeader({ alg: "HS256", kid, typ: "JWT" })
        .sign(new TextEncoder().encode(JSON.stringify(jwks.keys[0]))),
      "signed by another key under the real kid": await new SignJWT(payload(claims, 300))
        .setProtectedHeader({ alg: "EdDSA", kid, typ: "JWT" })
        .sign(own.privateKey),
      "unknown kid": await new SignJWT(payload(claims, 300))
        .setProtectedHeader({ alg: "EdDSA", kid: "not-a-key", typ: "JWT", jwk: await exportJWK(own.publicKey) })
        .sign(own.privateKey),
      expired: await sign(payload(claims, -60)),
      "wrong audience": await sign({ ...payload(claims, 300), aud: "someone-else" }),
      "tampered payload (admin role)": `${header}.${encode({ ...bodyJson, role: "admin" })}.${valid.split(".")[2]}`,
      "signature stripped": `${header}.${body}.`,
    },
  };
}
