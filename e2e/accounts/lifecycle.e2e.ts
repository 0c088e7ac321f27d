/**
 * The account lifecycle against the running system, mails read from Mailpit: verification, password reset
 * (old sessions refused by both services), e-mail change, and the admin role only for a verified address.
 */
import { afterAll, beforeAll, expect, test } from "bun:test";
import { eventually, uniqueName } from "@chirp/platform/testing";
import { createClient } from "../lib/client.ts";
import { type ReceivedMail, waitForMail } from "../lib/mailpit.ts";
import { type Stack, startStack } from "../lib/stack.ts";

const adminEmail = `${uniqueName("root")}@example.com`;
let stack: Stack;
beforeAll(async () => {
  stack = await startStack({ authEnv: { ADMIN_EMAILS: adminEmail } });
}, 60_000);
afterAll(() => stack?.[Symbol.asyncDispose]());

/** The link a mail asks the user to follow (the same in both parts), and the token it carries. */
function linkIn(mail: ReceivedMail, path: string) {
  const url = mail.text.match(/https?:\/\/\S+/g)?.find((candidate) => candidate.startsWith(`${stack.appUrl}${path}?`));
  if (!url) throw new Error(`no ${path} link in "${mail.subject}": ${mail.text}`);
  expect(mail.html).toContain(`href="${url}"`);
  return { url, token: new URL(url).searchParams.get("token") ?? "" };
}

const claims = (token: string) => JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString());

test("register -> verification mail -> verify -> emailVerified is true", async () => {
  const auth = createClient(stack.auth.url);
  const account = await auth.register("Vera");
  expect((await auth.get("/api/users/me", account.accessToken)).body.emailVerified).toBe(false);
  const mail = await waitForMail(account.email, { subject: "Confirm your e-mail address" });
  const { token } = linkIn(mail, "/verify-email");
  const verified = await auth.post("/api/auth/email/verify", { token });
  expect([verified.status, verified.body.user.emailVerified]).toEqual([200, true]);
  expect((await auth.get("/api/users/me", account.accessToken)).body.emailVerified).toBe(true);
  expect((await auth.post("/api/auth/email/verify", { token })).status).toBe(400);
}, 60_000);

test("forgot -> mail -> reset -> old sessions refused by auth and post -> login with the new password", async () => {
  const auth = createClient(stack.auth.url);
  const post = createClient(stack.post.url);
  const account = await auth.register("Rhea");
  const other = await createClient(stack.auth.url).post("/api/auth/login", account);
  const oldTokens = [account.accessToken, other.body.accessToken as string];
  for (const token of oldTokens) expect((await post.get("/api/whoami", token)).status).toBe(200);

  const missing = await auth.post("/api/auth/password/forgot", { email: `nobody-${account.email}` });
  const forgot = await auth.post("/api/auth/password/forgot", { email: account.email });
  expect([forgot.status, forgot.body]).toEqual([missing.status, missing.body]);
  const { token } = linkIn(
    await waitForMail(account.email, { subject: "Reset your Chirp password" }),
    "/reset-password",
  );
  const newPassword = "a completely new passphrase";
  expect((await auth.post("/api/auth/password/reset", { token, newPassword })).status).toBe(204);

  for (const old of oldTokens) expect((await auth.get("/api/users/me", old)).status).toBe(401);
  await eventually(
    async () => {
      const statuses = await Promise.all(oldTokens.map(async (old) => (await post.get("/api/whoami", old)).status));
      return statuses.every((status) => status === 401);
    },
    { timeoutMs: 5_000, what: "post refusing the reset account's old tokens" },
  );
  expect((await auth.post("/api/auth/refresh", { refreshToken: account.refreshToken })).status).toBe(401);
  expect((await auth.post("/api/auth/login", account)).status).toBe(401);
  const login = await auth.post("/api/auth/login", { email: account.email, password: newPassword });
  expect(login.status).toBe(200);
  expect(
    (await post.post("/api/posts", { title: "Back in", content: "after a reset" }, login.body.accessToken)).status,
  ).toBe(201);
  await waitForMail(account.email, { subject: "Your Chirp password was reset" });
}, 60_000);

test("e-mail change: a link to the new address, a notice to the old, applied when the link is used", async () => {
  const auth = createClient(stack.auth.url);
  const account = await auth.register("Mona");
  const newEmail = `${uniqueName("mona-new")}@example.com`;
  const asked = await auth.post("/api/users/me/email", { newEmail, password: account.password }, account.accessToken);
  expect(asked.status).toBe(202);
  const notice = await waitForMail(account.email, { subject: "Your Chirp e-mail address is being changed" });
  expect(notice.text).toContain(newEmail);
  const { token } = linkIn(
    await waitForMail(newEmail, { subject: "Confirm your new e-mail address" }),
    "/confirm-email-change",
  );
  const confirmed = await auth.post("/api/auth/email/change/confirm", { token });
  expect(confirmed.body.user).toMatchObject({ email: newEmail, emailVerified: true });
  expect((await auth.post("/api/auth/login", { email: newEmail, password: account.password })).status).toBe(200);
  expect((await auth.post("/api/auth/login", account)).status).toBe(401);
}, 60_000);

test("an unverified ADMIN_EMAILS registrant is not admin, and becomes admin once verified", async () => {
  const auth = createClient(stack.auth.url);
  const password = "the admin's passphrase";
  const registered = await auth.post("/api/auth/register", { name: "Root", email: adminEmail, password });
  expect([registered.status, registered.body.user.role, claims(registered.body.accessToken).role]).toEqual([
    201,
    "user",
    "user",
  ]);
  expect((await auth.get("/api/stats", registered.body.accessToken)).status).toBe(403);

  const { token } = linkIn(await waitForMail(adminEmail, { subject: "Confirm your e-mail address" }), "/verify-email");
  expect((await auth.post("/api/auth/email/verify", { token })).body.user.role).toBe("admin");
  const refreshed = await auth.post("/api/auth/refresh", { refreshToken: registered.body.refreshToken });
  expect(claims(refreshed.body.accessToken)).toMatchObject({ role: "admin", emailVerified: true });
  expect((await auth.get("/api/stats", refreshed.body.accessToken)).status).toBe(200);
}, 60_000);
