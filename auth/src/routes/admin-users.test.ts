import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eventually, uniqueName } from "@chirp/platform/testing";
import { collections } from "../db.ts";
import { mailedToken, startTestService, type TestService, testClient, testConfig } from "../testing/index.ts";

const adminEmail = `${uniqueName("root")}@example.com`;
const password = "correct horse battery";
let service: TestService;
let adminToken: string;
let adminId: string;

/** The one place that makes an admin: an `ADMIN_EMAILS` address, verified, then logged in again for the role. */
async function registerAdmin() {
  const client = testClient(service);
  const res = await client.post("/api/auth/register", { name: "Root", email: adminEmail, password });
  const id = res.body.user.id as string;
  await client.post("/api/auth/email/verify", { token: await mailedToken(service, id, "verify-email") });
  const login = await client.post("/api/auth/login", { email: adminEmail, password });
  return { token: login.body.accessToken as string, id };
}

beforeAll(async () => {
  service = await startTestService(
    testConfig({ ADMIN_EMAILS: adminEmail, LOGIN_MAX_FAILURES_PER_ACCOUNT: "3", LOGIN_ACCOUNT_SLOWDOWN_AFTER: "50" }),
  );
  ({ token: adminToken, id: adminId } = await registerAdmin());
});
afterAll(() => service[Symbol.asyncDispose]());

const asAdmin = () => testClient(service);
const activity = (filter: Record<string, unknown>) => service.db.collection(collections.activity).findOne(filter);
const login = (client: ReturnType<typeof testClient>, email: string, pass = password) =>
  client.post("/api/auth/login", { email, password: pass });

describe("admin routes refuse everyone else", () => {
  test("401 without a token, 403 for a user, on every route", async () => {
    const user = await testClient(service).register("Mallory", password);
    const client = testClient(service);
    const id = user.user.id;
    const calls = [
      ["GET", "/api/admin/users", undefined],
      ["POST", `/api/admin/users/${id}/ban`, { reason: "spam" }],
      ["POST", `/api/admin/users/${id}/unban`, undefined],
      ["POST", `/api/admin/users/${id}/unlock`, undefined],
      ["DELETE", `/api/admin/users/${id}`, undefined],
    ] as const;
    const statuses = async (token?: string) =>
      Promise.all(calls.map(async ([method, path, body]) => (await client.call(method, path, { body, token })).status));
    expect(await statuses()).toEqual([401, 401, 401, 401, 401]);
    expect(await statuses(user.accessToken)).toEqual([403, 403, 403, 403, 403]);
    // Nothing happened to the account.
    expect((await login(client, user.email)).status).toBe(200);
  });
});

describe("GET /api/admin/users", () => {
  test("finds users by e-mail or name prefix in any letter case, in keyset pages with no repeats", async () => {
    const tag = uniqueName("zq").replaceAll("_", "");
    const client = testClient(service);
    const register = async (name: string, email: string) =>
      (await client.post("/api/auth/register", { name, email, password })).body.user;
    const byName = [];
    for (let i = 0; i < 5; i++)
      byName.push(await register(`${tag.toUpperCase()} ${i}`, `${uniqueName("n")}@example.com`));
    const byEmail = await register("Other", `${tag}-mail@example.com`);
    await register("Unrelated", `${uniqueName("u")}@example.com`);

    const ids: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const query: string = `/api/admin/users?q=${encodeURIComponent(tag.toUpperCase())}&limit=2${cursor ? `&cursor=${cursor}` : ""}`;
      const res = await asAdmin().get(query, adminToken);
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      ids.push(...res.body.items.map((item: { id: string }) => item.id));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    // The names' matches, and the e-mail's (its name does not match).
    expect(ids.toSorted()).toEqual([...byName, byEmail].map((user) => user.id).toSorted());

    const email = await asAdmin().get(`/api/admin/users?q=${tag.toUpperCase()}-MAIL`, adminToken);
    expect(email.body).toEqual({
      items: [
        {
          id: byEmail.id,
          name: "Other",
          email: byEmail.email,
          createdAt: byEmail.createdAt,
          ban: null,
          throttle: { failedLogins: 0, throttled: false },
        },
      ],
      nextCursor: null,
    });
  });

  test("400 for a limit out of 1..100 or a malformed cursor", async () => {
    for (const query of ["limit=0", "limit=101", "cursor=..", "q="]) {
      expect((await asAdmin().get(`/api/admin/users?${query}`, adminToken)).status).toBe(400);
    }
  });
});

describe("ban and unban", () => {
  test("ban revokes every session and refuses login (403); unban lets the account in again; both audited", async () => {
    const user = await testClient(service).register("Spammer", password);
    const client = testClient(service);
    const second = await login(client, user.email);
    const ban = await asAdmin().post(`/api/admin/users/${user.user.id}/ban`, { reason: "Spam" }, adminToken);
    expect(ban.status).toBe(204);

    for (const token of [user.accessToken, second.body.accessToken]) {
      expect((await client.get("/api/users/me", token)).status).toBe(401);
    }
    const refused = await login(client, user.email);
    expect({ status: refused.status, type: refused.headers.get("content-type") }).toEqual({
      status: 403,
      type: "application/problem+json",
    });
    expect((await client.post("/api/auth/refresh", { refreshToken: second.body.refreshToken })).status).toBe(401);
    // A wrong password still answers 401: the ban is told only to whoever proves the password.
    expect((await login(client, user.email, "not the password")).status).toBe(401);
    expect(await service.db.collection(collections.sessions).countDocuments({ userId: user.user.id })).toBe(0);

    const listed = await asAdmin().get(`/api/admin/users?q=${encodeURIComponent(user.email)}`, adminToken);
    expect(listed.body.items[0].ban).toMatchObject({ reason: "Spam", adminId });
    const again = await asAdmin().post(`/api/admin/users/${user.user.id}/ban`, { reason: "Twice" }, adminToken);
    expect(again.status).toBe(409);

    expect((await asAdmin().post(`/api/admin/users/${user.user.id}/unban`, {}, adminToken)).status).toBe(204);
    expect((await asAdmin().post(`/api/admin/users/${user.user.id}/unban`, {}, adminToken)).status).toBe(409);
    expect((await login(client, user.email)).status).toBe(200);

    const audited = await eventually(
      async () => {
        const banned = await activity({ type: "user.banned", userId: user.user.id });
        const unbanned = await activity({ type: "user.unbanned", userId: user.user.id });
        return banned && unbanned && { banned: banned.data, unbanned: unbanned.data };
      },
      { what: "the ban and unban in the account's activity" },
    );
    expect(audited).toEqual({
      banned: { userId: user.user.id, adminId, reason: "Spam" },
      unbanned: { userId: user.user.id, adminId },
    });
  });

  test("a refresh of a banned account is refused with 403 (a session the ban did not revoke)", async () => {
    const user = await testClient(service).register("Racer", password);
    // As if a login had opened its session while the ban was being written.
    await service.db.collection(collections.bans).insertOne({
      _id: user.user.id as unknown as never,
      adminId,
      reason: "race",
      at: new Date(),
      eventId: "e",
    });
    const refresh = await testClient(service).post("/api/auth/refresh", { refreshToken: user.refreshToken });
    expect(refresh.status).toBe(403);
  });

  test("409 for an admin banning themselves, 404 for an unknown account, 400 without a reason", async () => {
    const self = await asAdmin().post(`/api/admin/users/${adminId}/ban`, { reason: "oops" }, adminToken);
    const unknown = await asAdmin().post("/api/admin/users/nobodyAtAll000000000/ban", { reason: "x" }, adminToken);
    const user = await testClient(service).register("Blank", password);
    const blank = await asAdmin().post(`/api/admin/users/${user.user.id}/ban`, { reason: "  " }, adminToken);
    expect([self.status, unknown.status, blank.status]).toEqual([409, 404, 400]);
  });
});

describe("unlock and the lockout notice", () => {
  test("a tripped throttle queues one notice to the owner per window; unlock clears it, audited", async () => {
    const user = await testClient(service).register("Victim", password);
    const attacker = testClient(service);
    const replies = [];
    for (let i = 0; i < 6; i++) replies.push((await login(attacker, user.email, `wrong ${i}`)).status);
    expect(replies).toEqual([401, 401, 401, 429, 429, 429]);
    const notices = await service.db
      .collection(collections.notifications)
      .find({ userId: user.user.id, kind: "lockout" })
      .toArray();
    expect(notices.map(({ to, subject }) => ({ to, subject }))).toEqual([
      { to: user.email, subject: "Failed sign-ins to your Chirp account" },
    ]);
    expect(notices[0]?.text).toContain(`the latest from the address ${attacker.address}`);

    const listed = async () =>
      (await asAdmin().get(`/api/admin/users?q=${encodeURIComponent(user.email)}`, adminToken)).body.items[0].throttle;
    expect(await listed()).toEqual({ failedLogins: 3, throttled: true });
    expect((await asAdmin().post(`/api/admin/users/${user.user.id}/unlock`, {}, adminToken)).status).toBe(204);
    expect(await listed()).toEqual({ failedLogins: 0, throttled: false });
    // The address that was refused gets in at once with the right password.
    expect((await login(attacker, user.email)).status).toBe(200);
    const audited = await eventually(() => activity({ type: "user.unlocked", userId: user.user.id }), {
      what: "the unlock in the account's activity",
    });
    expect(audited?.data).toEqual({ userId: user.user.id, adminId });
  });
});

describe("DELETE /api/admin/users/:id", () => {
  test("deletes the account as its owner would, and logs the deletion in the admin's activity", async () => {
    const user = await testClient(service).register("Gone", password);
    const client = testClient(service);
    const res = await asAdmin().call("DELETE", `/api/admin/users/${user.user.id}`, { token: adminToken });
    expect(res.status).toBe(204);
    expect((await client.get("/api/users/me", user.accessToken)).status).toBe(401);
    expect((await login(client, user.email)).status).toBe(401);
    expect((await client.get(`/api/users/${user.user.id}`)).status).toBe(404);
    const again = await asAdmin().call("DELETE", `/api/admin/users/${user.user.id}`, { token: adminToken });
    expect(again.status).toBe(404);
    const audited = await eventually(() => activity({ type: "user.deleted", userId: adminId }), {
      what: "the deletion in the admin's activity",
    });
    expect(audited?.data).toMatchObject({ byAdmin: true });
    expect(JSON.stringify(audited)).not.toContain(user.user.id);
  });
});

/** The collections of the service's database holding `needles` anywhere in a document, with how many hold one. */
async function traces(needles: string[]) {
  const found: Record<string, number> = {};
  for (const { name } of await service.db.listCollections({}, { nameOnly: true }).toArray()) {
    for (const doc of await service.db.collection(name).find().toArray()) {
      const text = JSON.stringify(doc);
      if (needles.some((needle) => text.includes(needle))) found[name] = (found[name] ?? 0) + 1;
    }
  }
  return found;
}

test("an admin's deletion of a banned, noticed account leaves neither its id nor its e-mail in any collection", async () => {
  const user = await testClient(service).register("Erased", password);
  const attacker = testClient(service);
  for (let i = 0; i < 4; i++) await login(attacker, user.email, `wrong ${i}`);
  expect((await asAdmin().post(`/api/admin/users/${user.user.id}/ban`, { reason: "Spam" }, adminToken)).status).toBe(
    204,
  );
  const needles = [user.user.id, user.email];
  const before = await traces(needles);
  expect(Object.keys(before)).toEqual(expect.arrayContaining(["users", "bans", "notifications", "login_failures"]));

  const res = await asAdmin().call("DELETE", `/api/admin/users/${user.user.id}`, { token: adminToken });
  expect(res.status).toBe(204);
  // The consumer of `user.deleted` erases the rest (activity, notifications), and the relay clears the outbox.
  const left = await eventually(
    async () => {
      const found = await traces(needles);
      return Object.keys(found).length === 0 ? found : false;
    },
    { timeoutMs: 20_000, what: "no trace of the account" },
  ).catch(() => traces(needles)); // what is left, for the diff below
  expect(left).toEqual({});
});

describe("the OpenAPI document", () => {
  test("lists every admin route with its errors", async () => {
    const doc = (await testClient(service).get("/openapi.json")).body;
    const statuses = (path: string, method: string) => Object.keys(doc.paths[path][method].responses).sort();
    expect(statuses("/api/admin/users", "get")).toEqual(["200", "400", "401", "403", "503"]);
    const action = ["204", "400", "401", "403", "404", "409", "503"];
    expect(statuses("/api/admin/users/{id}/ban", "post")).toEqual([...action, "413"].sort());
    for (const name of ["unban", "unlock"]) expect(statuses(`/api/admin/users/{id}/${name}`, "post")).toEqual(action);
    expect(statuses("/api/admin/users/{id}", "delete")).toEqual(["204", "400", "401", "403", "404", "503"]);
  });
});
