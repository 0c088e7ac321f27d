import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { exportSPKI, generateKeyPair, importJWK, SignJWT } from "jose";
import { startTestService, type TestService, testClient } from "../testing/index.ts";

let service: TestService;
let base: { sub: string; sid: string; role: "user" };
let goodToken: string;
beforeAll(async () => {
  service = await startTestService();
  const { user, accessToken } = await testClient(service).register();
  goodToken = accessToken;
  const claims = JSON.parse(Buffer.from(accessToken.split(".")[1] ?? "", "base64url").toString());
  base = { sub: user.id, sid: claims.sid, role: "user" };
});
afterAll(() => service[Symbol.asyncDispose]());

/** A token signed with the service's own current key, with the given changes. */
async function signed(change: { iss?: string; aud?: string; exp?: number; iat?: number } = {}) {
  const { kid, key } = await service.keys.signingKey();
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ sid: base.sid, role: base.role })
    .setProtectedHeader({ alg: "EdDSA", kid })
    .setIssuer(change.iss ?? service.config.JWT_ISSUER)
    .setAudience(change.aud ?? service.config.JWT_AUDIENCE)
    .setSubject(base.sub)
    .setJti("j1")
    .setIssuedAt(change.iat ?? now - 60)
    .setExpirationTime(change.exp ?? now + 600)
    .sign(key);
}

const status = async (token: string) => (await testClient(service).get("/api/users/me", token)).status;
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

describe("access tokens on a bearer route", () => {
  test("a token signed by the service with its own claims is accepted", async () => {
    expect(await status(await signed())).toBe(200);
  });

  test("an expired token is 401", async () => {
    expect(await status(await signed({ exp: Math.floor(Date.now() / 1000) - 120 }))).toBe(401);
  });

  test("a token issued in the future, or older than any lifetime auth issues, is 401", async () => {
    const now = Math.floor(Date.now() / 1000);
    const tenYears = 10 * 365 * 24 * 3600;
    expect(await status(await signed({ iat: now + tenYears, exp: now + tenYears + 600 }))).toBe(401);
    expect(await status(await signed({ iat: now + 600 }))).toBe(401);
    expect(await status(await signed({ iat: now - 2 * 3600, exp: now + 600 }))).toBe(401);
    expect(await status(await signed({ iat: now + 30 }))).toBe(200);
  });

  test("a wrong audience or issuer is 401", async () => {
    expect(await status(await signed({ aud: "someone-else" }))).toBe(401);
    expect(await status(await signed({ iss: "evil-issuer" }))).toBe(401);
  });

  test("a tampered payload or signature is 401", async () => {
    const [header, payload, signature] = goodToken.split(".");
    const forged = b64({ ...JSON.parse(Buffer.from(payload ?? "", "base64url").toString()), role: "admin" });
    expect(await status(`${header}.${forged}.${signature}`)).toBe(401);
    const flipped = `${signature?.slice(0, 10)}${signature?.[10] === "A" ? "B" : "A"}${signature?.slice(11)}`;
    expect(await status(`${header}.${payload}.${flipped}`)).toBe(401);
  });

  test("alg none is 401", async () => {
    const [header, payload] = goodToken.split(".");
    const { kid } = JSON.parse(Buffer.from(header ?? "", "base64url").toString());
    expect(await status(`${b64({ alg: "none", kid })}.${payload}.`)).toBe(401);
  });

  test("an HS256 token keyed with the public key is 401", async () => {
    const { kid } = await service.keys.signingKey();
    const jwk = service.keys.jwks().keys.find((key) => key.kid === kid);
    const publicPem = await exportSPKI((await importJWK({ ...jwk }, "EdDSA", { extractable: true })) as CryptoKey);
    const payload = JSON.parse(Buffer.from(goodToken.split(".")[1] ?? "", "base64url").toString());
    for (const secret of [publicPem, jwk?.x ?? ""]) {
      const token = await new SignJWT(payload)
        .setProtectedHeader({ alg: "HS256", kid })
        .sign(new TextEncoder().encode(secret));
      expect(await status(token)).toBe(401);
    }
  });

  test("a token of a key the service does not know is 401", async () => {
    const stranger = await generateKeyPair("EdDSA", { crv: "Ed25519" });
    const token = await new SignJWT({ sid: base.sid, role: "user" })
      .setProtectedHeader({ alg: "EdDSA", kid: "unknown-kid" })
      .setIssuer(service.config.JWT_ISSUER)
      .setAudience(service.config.JWT_AUDIENCE)
      .setSubject(base.sub)
      .setJti("j2")
      .setIssuedAt()
      .setExpirationTime("10m")
      .sign(stranger.privateKey);
    expect(await status(token)).toBe(401);
  });

  test("a token signed before a key rotation still verifies, and new tokens use the new key", async () => {
    const client = testClient(service);
    const before = await client.register();
    const oldKid = (await service.keys.signingKey()).kid;
    await service.keys.rotate();
    const newKid = (await service.keys.signingKey()).kid;
    expect(newKid).not.toBe(oldKid);
    expect((await client.get("/api/users/me", before.accessToken)).status).toBe(200);
    const jwks = await client.get("/.well-known/jwks.json");
    expect(jwks.body.keys.map((key: { kid: string }) => key.kid)).toEqual([newKid, oldKid]);
    const after = await client.post("/api/auth/login", { email: before.email, password: before.password });
    expect(JSON.parse(Buffer.from(after.body.accessToken.split(".")[0], "base64url").toString()).kid).toBe(newKid);
  });
});
