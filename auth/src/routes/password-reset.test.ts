import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eventually } from "@chirp/platform/testing";
import { collections } from "../db.ts";
import { mailedToken, startTestService, type TestService, testClient, testConfig } from "../testing/index.ts";

let service: TestService;
beforeAll(async () => {
  service = await startTestService(testConfig({ FORGOT_MAX_PER_ADDRESS: "3", LOGIN_MAX_FAILURES_PER_ACCOUNT: "3" }));
});
afterAll(() => service[Symbol.asyncDispose]());

const kindsFor = async (userId: string) =>
  (await service.db.collection(collections.notifications).find({ userId }).toArray()).map((mail) => mail.kind).sort();

describe("forgotten passwords", () => {
  test("forgot answers alike for an existing and a missing address, and mails the existing one only", async () => {
    const client = testClient(service);
    const { user, email } = await client.register();
    const existing = await client.post("/api/auth/password/forgot", { email: email.toUpperCase() });
    const missing = await client.post("/api/auth/password/forgot", { email: `nobody-${user.id}@example.com` });
    expect(missing).toEqual({ ...existing, headers: missing.headers });
    expect(existing.status).toBe(202);
    const token = await mailedToken(service, user.id, "password-reset");
    const mail = await service.db
      .collection(collections.notifications)
      .findOne({ userId: user.id, kind: "password-reset" });
    expect(mail?.text).toContain(`/reset-password?token=${token}`);
    const strays = await service.db
      .collection(collections.notifications)
      .countDocuments({ to: `nobody-${user.id}@example.com` });
    expect(strays).toBe(0);
  });

  test("forgot is throttled per client address", async () => {
    const client = testClient(service);
    for (let i = 0; i < 3; i++) {
      expect((await client.post("/api/auth/password/forgot", { email: `x${i}@example.com` })).status).toBe(202);
    }
    const refused = await client.post("/api/auth/password/forgot", { email: "x@example.com" });
    expect([refused.status, Number(refused.headers.get("retry-after")) > 0]).toEqual([429, true]);
    expect((await testClient(service).post("/api/auth/password/forgot", { email: "x@example.com" })).status).toBe(202);
  });

  test("forgot mails one account at most the limit per window, however many client addresses ask", async () => {
    const { user, email } = await testClient(service).register();
    for (let i = 0; i < 5; i++) {
      expect((await testClient(service).post("/api/auth/password/forgot", { email })).status).toBe(202);
    }
    // Every request's after-response work done: what was mailed is final.
    await service.mail.drain();
    const resets = await service.db
      .collection(collections.notifications)
      .countDocuments({ userId: user.id, kind: "password-reset" });
    expect(resets).toBe(3);
  });

  test("reset sets the password, revokes every session, clears the throttle, mails a notice; the link works once", async () => {
    const owner = testClient(service);
    const { user, email, password, accessToken, refreshToken } = await owner.register();
    const second = await testClient(service).post("/api/auth/login", { email, password });
    // The owner's own address is throttled for the account: three wrong passwords.
    for (let i = 0; i < 3; i++) await owner.post("/api/auth/login", { email, password: "wrong password" });
    expect((await owner.post("/api/auth/login", { email, password })).status).toBe(429);

    await owner.post("/api/auth/password/forgot", { email });
    const token = await mailedToken(service, user.id, "password-reset");
    const reset = await owner.post("/api/auth/password/reset", { token, newPassword: "a brand new secret" });
    expect(reset.status).toBe(204);

    expect((await owner.get("/api/users/me", accessToken)).status).toBe(401);
    expect((await owner.get("/api/users/me", second.body.accessToken)).status).toBe(401);
    expect((await owner.post("/api/auth/refresh", { refreshToken })).status).toBe(401);
    expect((await owner.post("/api/auth/login", { email, password })).status).toBe(401);
    const login = await owner.post("/api/auth/login", { email, password: "a brand new secret" });
    expect(login.status).toBe(200);
    // Whoever reset the password read the account's mail: the address counts as verified.
    expect(login.body.user.emailVerified).toBe(true);
    await eventually(async () => (await kindsFor(user.id)).includes("password-reset-notice"));

    const replay = await owner.post("/api/auth/password/reset", { token, newPassword: "yet another secret" });
    expect(replay.status).toBe(400);
  });

  test("a newer link or a password change kills the older links", async () => {
    const client = testClient(service);
    const { user, email, password, accessToken } = await client.register();
    await client.post("/api/auth/password/forgot", { email });
    const first = await mailedToken(service, user.id, "password-reset");
    await client.post("/api/auth/password/forgot", { email });
    const second = await eventually(async () => {
      const token = await mailedToken(service, user.id, "password-reset");
      return token !== first && token;
    });
    expect((await client.post("/api/auth/password/reset", { token: first, newPassword: "new secret 1" })).status).toBe(
      400,
    );
    const change = { currentPassword: password, newPassword: "changed secret" };
    expect((await client.post("/api/users/me/password", change, accessToken)).status).toBe(204);
    expect((await client.post("/api/auth/password/reset", { token: second, newPassword: "new secret 2" })).status).toBe(
      400,
    );
  });

  test("reset refuses a weak password field by field without spending the link", async () => {
    const client = testClient(service);
    const { user, email } = await client.register();
    await client.post("/api/auth/password/forgot", { email });
    const token = await mailedToken(service, user.id, "password-reset");
    const weak = await client.post("/api/auth/password/reset", { token, newPassword: "short" });
    expect([weak.status, weak.body.errors.map((error: { path: string }) => error.path)]).toEqual([
      400,
      ["newPassword"],
    ]);
    expect((await client.post("/api/auth/password/reset", { token, newPassword: "long enough now" })).status).toBe(204);
  });
});
