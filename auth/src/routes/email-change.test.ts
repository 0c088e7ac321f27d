import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { uniqueName } from "@chirp/platform/testing";
import { collections } from "../db.ts";
import { type Json, mailedToken, startTestService, type TestService, testClient } from "../testing/index.ts";

let service: TestService;
beforeAll(async () => {
  service = await startTestService();
});
afterAll(() => service[Symbol.asyncDispose]());

const newAddress = () => `${uniqueName("moved")}@example.com`;

describe("e-mail change", () => {
  test("mails a link to the new address and a notice to the old; the change applies when the link is used", async () => {
    const client = testClient(service);
    const { user, email, password, accessToken } = await client.register();
    const target = newAddress();
    const wrong = await client.post(
      "/api/users/me/email",
      { newEmail: target, password: "not my password" },
      accessToken,
    );
    expect(wrong.status).toBe(403);
    const asked = await client.post("/api/users/me/email", { newEmail: target.toUpperCase(), password }, accessToken);
    expect(asked.status).toBe(202);
    const mails = await service.db.collection(collections.notifications).find({ userId: user.id }).toArray();
    expect(
      mails
        .filter((mail) => mail.kind !== "welcome" && mail.kind !== "verify-email")
        .map((mail) => [mail.kind, mail.to])
        .sort(),
    ).toEqual([
      ["email-change", target],
      ["email-change-notice", email],
    ]);
    // Nothing changes until the link is used.
    expect((await client.get("/api/users/me", accessToken)).body.email).toBe(email);

    const token = await mailedToken(service, user.id, "email-change");
    const confirmed = await client.post("/api/auth/email/change/confirm", { token });
    expect(confirmed.status).toBe(200);
    expect(confirmed.body.user).toEqual({ ...user, email: target, emailVerified: true });
    expect((await client.post("/api/auth/login", { email: target, password })).status).toBe(200);
    expect((await client.post("/api/auth/login", { email, password })).status).toBe(401);
    expect((await client.post("/api/auth/email/change/confirm", { token })).status).toBe(400);
  });

  test("two accounts moving to one address: the unique index lets one win, the other gets 409", async () => {
    const target = newAddress();
    const tokens = await Promise.all(
      [1, 2].map(async () => {
        const client = testClient(service);
        const { user, password, accessToken } = await client.register();
        expect((await client.post("/api/users/me/email", { newEmail: target, password }, accessToken)).status).toBe(
          202,
        );
        return mailedToken(service, user.id, "email-change");
      }),
    );
    const results = await Promise.all(
      tokens.map((token) => testClient(service).post("/api/auth/email/change/confirm", { token })),
    );
    expect(results.map((res) => res.status).sort()).toEqual([200, 409]);
  });

  test("registering a taken address in another case answers 409 and tells its owner by mail", async () => {
    const client = testClient(service);
    const { user, email } = await client.register();
    const res = await testClient(service).post("/api/auth/register", {
      name: "Eve",
      email: email.toUpperCase(),
      password: "12345678",
    });
    expect(res.status).toBe(409);
    const notice = await service.db
      .collection(collections.notifications)
      .findOne({ userId: user.id, kind: "address-taken" });
    expect(notice).toMatchObject({ to: email, subject: "Someone tried to sign up with your address" });
  });

  test("the OpenAPI document lists every account-lifecycle route with its answers", async () => {
    const doc: Json = await (await fetch(new URL("/openapi.json", service.url))).json();
    const answers = (path: string) => Object.keys(doc.paths[path]?.post?.responses ?? {}).sort();
    expect({
      verify: answers("/api/auth/email/verify"),
      resend: answers("/api/auth/email/verify/resend"),
      confirm: answers("/api/auth/email/change/confirm"),
      forgot: answers("/api/auth/password/forgot"),
      reset: answers("/api/auth/password/reset"),
      change: answers("/api/users/me/email"),
    }).toEqual({
      verify: ["200", "400", "413"],
      resend: ["202", "401", "404", "409", "429", "503"],
      confirm: ["200", "400", "409", "413"],
      forgot: ["202", "400", "413", "429", "503"],
      reset: ["204", "400", "413", "503"],
      change: ["202", "400", "401", "403", "404", "413", "429", "503"],
    });
    const operations = [
      "/api/auth/email/verify",
      "/api/auth/email/verify/resend",
      "/api/auth/email/change/confirm",
      "/api/auth/password/forgot",
      "/api/auth/password/reset",
      "/api/users/me/email",
    ].map((path) => doc.paths[path].post.operationId);
    expect(operations).toEqual([
      "verifyEmail",
      "resendVerification",
      "confirmEmailChange",
      "forgotPassword",
      "resetPassword",
      "requestEmailChange",
    ]);
  });
});
