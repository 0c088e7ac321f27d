import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { Secret, TOTP } from "otpauth";
import { collections } from "../db.ts";
import { startTestService, type TestService, testClient, testConfig } from "../testing/index.ts";

let service: TestService;
beforeAll(async () => {
  service = await startTestService(testConfig({ LOGIN_MAX_FAILURES_PER_ACCOUNT: "4" }));
});
afterAll(() => service[Symbol.asyncDispose]());

const password = "correct horse battery";
const claims = (token: string) => JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString());
/** The code an authenticator app shows for `secret`, `steps` 30-second steps from now. */
const codeOf = (secret: string, steps = 0) =>
  new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: "SHA1" }).generate({
    timestamp: Date.now() + steps * 30_000,
  });

/** A registered account with MFA on: its client, e-mail, secret and recovery codes. */
async function enrolled() {
  const client = testClient(service);
  const { email, accessToken, user } = await client.register("Mfa", password);
  const setup = await client.post("/api/auth/mfa/totp/setup", { password }, accessToken);
  expect(setup.status).toBe(200);
  expect(setup.body.otpauthUrl).toStartWith("otpauth://totp/Chirp:");
  const enable = await client.post("/api/auth/mfa/totp/enable", { code: codeOf(setup.body.secret) }, accessToken);
  expect(enable.status).toBe(200);
  return {
    client,
    email,
    id: user.id as string,
    secret: setup.body.secret as string,
    codes: enable.body.recoveryCodes as string[],
    accessToken,
  };
}

describe("TOTP MFA", () => {
  test("enrolment: the secret is sealed at rest, 10 recovery codes stored as hashes, /me says mfaEnabled", async () => {
    const { client, id, secret, codes, accessToken } = await enrolled();
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    expect((await client.get("/api/users/me", accessToken)).body.mfaEnabled).toBe(true);
    const stored = JSON.stringify(await service.db.collection(collections.totpActive).findOne({ _id: id as never }));
    expect(stored).not.toContain(secret);
    const hashes = await service.db.collection(collections.recoveryCodes).find({ userId: id }).toArray();
    expect(hashes).toHaveLength(10);
    expect(JSON.stringify(hashes)).not.toContain(codes[0]?.replaceAll("-", "") ?? "x");
  });

  test("login asks for a code; a code signs in once (amr pwd+otp), its replay is refused", async () => {
    const { client, email, secret } = await enrolled();
    const first = await client.post("/api/auth/login", { email, password });
    expect(first.body).toEqual({ mfaRequired: true, mfaToken: expect.any(String) });
    // The enrolment spent this step's code: the next step's is what the app shows a moment later.
    const code = codeOf(secret, 1);
    const signed = await client.post("/api/auth/login/mfa", { mfaToken: first.body.mfaToken, code });
    expect(signed.status).toBe(200);
    expect(claims(signed.body.accessToken).amr).toEqual(["pwd", "otp"]);
    expect(signed.body.user.mfaEnabled).toBe(true);
    // The challenge is single use, and so is the code, even with a fresh challenge.
    expect((await client.post("/api/auth/login/mfa", { mfaToken: first.body.mfaToken, code })).status).toBe(401);
    const again = await client.post("/api/auth/login", { email, password });
    expect((await client.post("/api/auth/login/mfa", { mfaToken: again.body.mfaToken, code })).status).toBe(401);
  });

  test("a recovery code works once; a refresh keeps the session's amr", async () => {
    const { client, email, codes } = await enrolled();
    const recoveryCode = codes[3] ?? "";
    const login = async () => (await client.post("/api/auth/login", { email, password })).body.mfaToken;
    const ok = await client.post("/api/auth/login/mfa", { mfaToken: await login(), recoveryCode });
    expect(ok.status).toBe(200);
    expect((await client.post("/api/auth/login/mfa", { mfaToken: await login(), recoveryCode })).status).toBe(401);
    const refreshed = await client.post("/api/auth/refresh", { refreshToken: ok.body.refreshToken });
    expect(claims(refreshed.body.accessToken).amr).toEqual(["pwd", "otp"]);
  });

  test("wrong codes count as failed logins: the address is throttled (429), the challenge spent", async () => {
    const { client, email } = await enrolled();
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const challenge = await client.post("/api/auth/login", { email, password });
      if (challenge.status !== 200) {
        statuses.push(challenge.status);
        continue;
      }
      statuses.push(
        (await client.post("/api/auth/login/mfa", { mfaToken: challenge.body.mfaToken, code: "000000" })).status,
      );
    }
    // Two attempts per round (the password's, kept until a second factor is proven, and the code's): the
    // account's limit of 4 from this address is reached in the second round.
    expect(statuses.slice(0, 2)).toEqual([401, 401]);
    expect(statuses.slice(2)).toEqual([429, 429]);
  });

  test("disable needs the password and a code; then login answers tokens at once (amr pwd)", async () => {
    const { client, email, secret, accessToken } = await enrolled();
    const wrong = await client.call("DELETE", "/api/auth/mfa/totp", {
      body: { password: "nope nope", code: codeOf(secret, 1) },
      token: accessToken,
    });
    expect(wrong.status).toBe(403);
    const off = await client.call("DELETE", "/api/auth/mfa/totp", {
      body: { password, code: codeOf(secret, 1) },
      token: accessToken,
    });
    expect(off.status).toBe(204);
    const login = await client.post("/api/auth/login", { email, password });
    expect(claims(login.body.accessToken).amr).toEqual(["pwd"]);
    expect(login.body.user.mfaEnabled).toBe(false);
  });

  test("enable refuses a wrong code, and setup refuses a wrong password", async () => {
    const client = testClient(service);
    const { accessToken } = await client.register("Mfa", password);
    expect((await client.post("/api/auth/mfa/totp/setup", { password: "wrong wrong" }, accessToken)).status).toBe(403);
    await client.post("/api/auth/mfa/totp/setup", { password }, accessToken);
    expect((await client.post("/api/auth/mfa/totp/enable", { code: "000000" }, accessToken)).status).toBe(400);
    expect((await client.post("/api/auth/mfa/totp/enable", { code: "12ab56" }, accessToken)).status).toBe(400);
  });
});
