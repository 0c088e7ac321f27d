import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestService, type TestService, testClient, testConfig } from "../testing/index.ts";

let service: TestService;
beforeAll(async () => {
  service = await startTestService(
    testConfig({
      // One hash at a time and one waiting: requests holding both slots make the next one 503.
      PASSWORD_HASH_CONCURRENCY: "1",
      PASSWORD_HASH_QUEUE: "1",
      LOGIN_MAX_FAILURES_PER_ACCOUNT: "3",
      LOGIN_MAX_FAILURES_PER_ADDRESS: "2",
    }),
  );
});
afterAll(() => service[Symbol.asyncDispose]());

describe("password checks and the throttle", () => {
  test("a throttled address's logins are refused before they take a hashing slot: others still log in", async () => {
    const owner = await testClient(service).register("Owner");
    const attacker = testClient(service);
    for (let i = 0; i < 2; i++) {
      expect(
        (await attacker.post("/api/auth/login", { email: `x${i}@example.com`, password: "guess1234" })).status,
      ).toBe(401);
    }
    const [flood, login] = await Promise.all([
      Promise.all(
        // Other accounts' e-mails: this is about hashing slots, not about the owner's account being throttled.
        Array.from({ length: 30 }, (_, i) =>
          attacker.post("/api/auth/login", { email: `victim${i}@example.com`, password: "guess1234" }),
        ),
      ),
      testClient(service).post("/api/auth/login", { email: owner.email, password: owner.password }),
    ]);
    expect(new Set(flood.map((reply) => reply.status))).toEqual(new Set([429]));
    expect(login.status).toBe(200);
  });

  test("wrong current passwords count as failed logins: the 4th check is 429, even with the right password", async () => {
    const client = testClient(service);
    const { accessToken, password } = await client.register();
    const change = (currentPassword: string) =>
      client.call("POST", "/api/users/me/password", {
        body: { currentPassword, newPassword: "a brand new password" },
        token: accessToken,
      });
    const remove = (password: string) =>
      client.call("DELETE", "/api/users/me", { body: { password }, token: accessToken });
    // One address may fail twice in all, so a second address goes on guessing at the same account.
    const elsewhere = testClient(service);
    const removeElsewhere = (password: string) =>
      elsewhere.call("DELETE", "/api/users/me", { body: { password }, token: accessToken });
    const statuses = [
      (await change("wrong guess 1")).status,
      (await remove("wrong guess 2")).status,
      (await removeElsewhere("wrong guess 3")).status,
    ];
    const throttled = await change(password);
    expect([...statuses, throttled.status]).toEqual([403, 403, 403, 429]);
    expect(Number(throttled.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await client.get("/api/users/me", accessToken)).status).toBe(200);
  });
});
