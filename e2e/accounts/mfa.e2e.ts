/**
 * TOTP MFA against the running system: enroll -> login needs a code -> a replayed code is refused -> a
 * recovery code works once; post accepts the second-factor session's token.
 */
import { expect, test } from "bun:test";
import { Secret, TOTP } from "otpauth";
import { createClient } from "../lib/client.ts";
import { recordResult } from "../lib/results.ts";
import { startStack } from "../lib/stack.ts";

const codeOf = (secret: string, steps = 0) =>
  new TOTP({ secret: Secret.fromBase32(secret), digits: 6, period: 30, algorithm: "SHA1" }).generate({
    timestamp: Date.now() + steps * 30_000,
  });
const claims = (token: string) => JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString());

test("MFA: enroll, a login needs a code, a replayed code is refused, a recovery code works once", async () => {
  await using stack = await startStack();
  const auth = createClient(stack.auth.url);
  const post = createClient(stack.post.url);
  const account = await auth.register("Otto");
  const { email, password } = account;

  const setup = await auth.post("/api/auth/mfa/totp/setup", { password }, account.accessToken);
  expect(setup.status).toBe(200);
  const { secret } = setup.body;
  const enabled = await auth.post("/api/auth/mfa/totp/enable", { code: codeOf(secret) }, account.accessToken);
  expect(enabled.status).toBe(200);
  const recoveryCodes: string[] = enabled.body.recoveryCodes;

  const challenge = async () => {
    const res = await auth.post("/api/auth/login", { email, password });
    expect(res.body).toEqual({ mfaRequired: true, mfaToken: expect.any(String) });
    return res.body.mfaToken as string;
  };
  const code = codeOf(secret, 1);
  const signed = await auth.post("/api/auth/login/mfa", { mfaToken: await challenge(), code });
  expect(signed.status).toBe(200);
  expect(claims(signed.body.accessToken).amr).toEqual(["pwd", "otp"]);
  // The token works in both services.
  expect((await post.get("/api/whoami", signed.body.accessToken)).status).toBe(200);

  const replay = await auth.post("/api/auth/login/mfa", { mfaToken: await challenge(), code });
  expect(replay.status).toBe(401);

  const recoveryCode = recoveryCodes[0] ?? "";
  const recovered = await auth.post("/api/auth/login/mfa", { mfaToken: await challenge(), recoveryCode });
  expect(recovered.status).toBe(200);
  const reused = await auth.post("/api/auth/login/mfa", { mfaToken: await challenge(), recoveryCode });
  expect(reused.status).toBe(401);
  expect(auth.tally.serverErrors + post.tally.serverErrors).toBe(0);

  recordResult({
    id: "accounts.mfa",
    scenario: "TOTP MFA: enroll, two-step login, a replayed code, a recovery code used twice",
    checked:
      "login answers a challenge; the code signs in once (amr pwd, otp; post accepts the token); its replay 401; a recovery code 200 then 401",
    figures: {
      requests: auth.tally.requests + post.tally.requests,
      recoveryCodes: recoveryCodes.length,
      serverErrors: 0,
    },
  });
}, 60_000);
