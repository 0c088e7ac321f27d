import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eventually } from "@chirp/platform/testing";
import { issueOneTimeToken } from "../accounts/one-time-tokens.ts";
import { collections } from "../db.ts";
import { createMongoOneTimeTokenStore } from "../stores/one-time-token-store.ts";
import { mailedToken, startTestService, type TestService, testClient, testConfig } from "../testing/index.ts";

let service: TestService;
let required: TestService;
beforeAll(async () => {
  [service, required] = await Promise.all([
    startTestService(testConfig({ VERIFY_RESEND_MAX: "2", PUBLIC_APP_URL: "https://chirp.example/app" })),
    startTestService(testConfig({ EMAIL_VERIFICATION: "required" })),
  ]);
});
afterAll(() => Promise.all([service[Symbol.asyncDispose](), required[Symbol.asyncDispose]()]));

const verify = (client: ReturnType<typeof testClient>, token: string) =>
  client.post("/api/auth/email/verify", { token });

describe("e-mail verification", () => {
  test("register mails a link under PUBLIC_APP_URL; using it verifies the address, once", async () => {
    const client = testClient(service);
    const { user, email, accessToken } = await client.register();
    expect(user.emailVerified).toBe(false);
    const token = await mailedToken(service, user.id, "verify-email");
    expect(token).toMatch(/^[\w-]{43}$/);
    const mail = await service.db
      .collection(collections.notifications)
      .findOne({ userId: user.id, kind: "verify-email" });
    const link = `https://chirp.example/app/verify-email?token=${token}`;
    expect(mail).toMatchObject({ to: email, subject: "Confirm your e-mail address", status: expect.any(String) });
    expect(mail?.text).toContain(link);
    expect(mail?.html).toContain(`href="${link}"`);
    // Only its hash is stored.
    expect(await service.db.collection(collections.oneTimeTokens).countDocuments({ _id: token as never })).toBe(0);

    const res = await verify(client, token);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ user: { ...user, emailVerified: true } });
    expect((await client.get("/api/users/me", accessToken)).body.emailVerified).toBe(true);
    const replay = await verify(client, token);
    expect([replay.status, replay.headers.get("content-type")]).toEqual([400, "application/problem+json"]);
  });

  test("of concurrent uses of one link exactly one wins", async () => {
    const client = testClient(service);
    const { user } = await client.register();
    const token = await mailedToken(service, user.id, "verify-email");
    const results = await Promise.all(Array.from({ length: 6 }, () => verify(client, token)));
    expect(results.map((res) => res.status).sort()).toEqual([200, 400, 400, 400, 400, 400]);
  });

  test("resend mails a new link that supersedes the old; it is throttled per account and refused once verified", async () => {
    const client = testClient(service);
    const { user, accessToken } = await client.register();
    const first = await mailedToken(service, user.id, "verify-email");
    const resent = await client.post("/api/auth/email/verify/resend", undefined, accessToken);
    expect(resent.status).toBe(202);
    const second = await nextToken(user.id, first);
    expect((await verify(client, first)).status).toBe(400);
    // The account's third request in the window, from a new client address too.
    const again = await testClient(service).post("/api/auth/email/verify/resend", undefined, accessToken);
    expect(again.status).toBe(202);
    const third = await testClient(service).post("/api/auth/email/verify/resend", undefined, accessToken);
    expect([third.status, Number(third.headers.get("retry-after")) > 0]).toEqual([429, true]);

    const newest = await nextToken(user.id, second);
    expect((await verify(client, second)).status).toBe(400);
    expect((await verify(client, newest)).status).toBe(200);
    const other = await testClient(service).register();
    await verify(client, await mailedToken(service, other.user.id, "verify-email"));
    expect((await client.post("/api/auth/email/verify/resend", undefined, other.accessToken)).status).toBe(409);
    expect((await client.post("/api/auth/email/verify/resend", undefined)).status).toBe(401);
  });

  test("an expired link is refused", async () => {
    const client = testClient(service);
    const { user, email } = await client.register();
    const store = createMongoOneTimeTokenStore(service.db);
    const stale = await issueOneTimeToken(
      store,
      { userId: user.id, email },
      "verify-email",
      new Date(Date.now() - 25 * 3_600_000),
    );
    expect((await verify(client, stale)).status).toBe(400);
    expect((await verify(client, "not-a-token")).status).toBe(400);
    expect((await client.post("/api/auth/email/verify", {})).status).toBe(400);
  });

  test("deleting the account erases its verification facts and outstanding links", async () => {
    const client = testClient(service);
    const { user, email, password, accessToken } = await client.register();
    await verify(client, await mailedToken(service, user.id, "verify-email"));
    await client.post("/api/auth/password/forgot", { email });
    await mailedToken(service, user.id, "password-reset");
    const held = async () =>
      (await service.db.collection(collections.emailVerifications).countDocuments({ userId: user.id })) +
      (await service.db.collection(collections.oneTimeTokens).countDocuments({ userId: user.id }));
    expect(await held()).toBe(2);
    expect((await client.call("DELETE", "/api/users/me", { body: { password }, token: accessToken })).status).toBe(204);
    expect(await held()).toBe(0);
  });

  test("EMAIL_VERIFICATION=required refuses login with 403 until the address is verified", async () => {
    const client = testClient(required);
    const { user, email, password } = await client.register();
    const refused = await client.post("/api/auth/login", { email, password });
    expect([refused.status, refused.headers.get("content-type")]).toEqual([403, "application/problem+json"]);
    // A wrong password still answers 401: the 403 is for whoever knows the password only.
    expect((await client.post("/api/auth/login", { email, password: "wrong password" })).status).toBe(401);
    await verify(client, await mailedToken(required, user.id, "verify-email"));
    expect((await client.post("/api/auth/login", { email, password })).status).toBe(200);
  });
});

/** The token of a verification mail newer than the one carrying `previous`. */
const nextToken = (userId: string, previous: string) =>
  eventually(async () => {
    const token = await mailedToken(service, userId, "verify-email");
    return token !== previous && token;
  });
