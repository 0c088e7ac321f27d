import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { collections } from "../db.ts";
import { startTestService, type TestService, testClient } from "../testing/index.ts";

let service: TestService;
beforeAll(async () => {
  service = await startTestService();
});
afterAll(() => service[Symbol.asyncDispose]());

describe("/api/users/me", () => {
  test("GET returns the caller with a postCount counted from membership facts", async () => {
    const client = testClient(service);
    const { user, accessToken } = await client.register();
    await service.db
      .collection(collections.postMemberships)
      .insertMany([
        { _id: `${user.id}:p1`, userId: user.id } as never,
        { _id: `${user.id}:p2`, userId: user.id } as never,
      ]);
    const res = await client.get("/api/users/me", accessToken);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...user, postCount: 2 });
  });

  test("GET without a token is a 401 with a bare Bearer challenge, a refused token names invalid_token", async () => {
    const client = testClient(service);
    const { accessToken } = await client.register();
    const challenge = async (authorization?: string) => {
      const res = await fetch(
        new URL("/api/users/me", service.url),
        authorization ? { headers: { authorization } } : {},
      );
      return [res.status, res.headers.get("www-authenticate")];
    };
    // RFC 6750, 3.1: no error code when the request carried no credentials; `Bearer<TAB>token` is not one.
    expect(await challenge()).toEqual([401, "Bearer"]);
    expect(await challenge(`Bearer\t${accessToken}`)).toEqual([401, "Bearer"]);
    expect(await challenge("Bearer not.a.jwt")).toEqual([401, 'Bearer error="invalid_token"']);
    expect(await challenge(`Bearer ${accessToken}`)).toEqual([200, null]);
  });

  test("PATCH edits the name and bio and returns the new state", async () => {
    const client = testClient(service);
    const { user, accessToken } = await client.register();
    const res = await client.call("PATCH", "/api/users/me", { body: { bio: "Poet of numbers" }, token: accessToken });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ ...user, bio: "Poet of numbers" });
    expect((await client.get("/api/users/me", accessToken)).body.bio).toBe("Poet of numbers");
  });

  test("PATCH refuses a bio over 500 characters field by field", async () => {
    const client = testClient(service);
    const { accessToken } = await client.register();
    const res = await client.call("PATCH", "/api/users/me", {
      body: { name: "", bio: "x".repeat(501) },
      token: accessToken,
    });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((error: { path: string }) => error.path)).toEqual(["name", "bio"]);
  });

  test("POST password changes it and revokes every other session", async () => {
    const client = testClient(service);
    const { email, password, accessToken } = await client.register();
    const other = (await client.post("/api/auth/login", { email, password })).body;
    const res = await client.post(
      "/api/users/me/password",
      { currentPassword: password, newPassword: "new secret!" },
      accessToken,
    );
    expect(res.status).toBe(204);
    expect((await client.get("/api/users/me", other.accessToken)).status).toBe(401);
    expect((await client.get("/api/users/me", accessToken)).status).toBe(200);
    expect((await client.post("/api/auth/login", { email, password })).status).toBe(401);
    expect((await client.post("/api/auth/login", { email, password: "new secret!" })).status).toBe(200);
  });

  test("POST password with a wrong current password is 403", async () => {
    const client = testClient(service);
    const { accessToken } = await client.register();
    const res = await client.post(
      "/api/users/me/password",
      { currentPassword: "wrong one", newPassword: "whatever1" },
      accessToken,
    );
    expect(res.status).toBe(403);
  });

  test("DELETE with the password removes the account and its sessions; the e-mail is free again", async () => {
    const client = testClient(service);
    const { user, email, password, accessToken } = await client.register();
    expect(
      (await client.call("DELETE", "/api/users/me", { body: { password: "wrong one" }, token: accessToken })).status,
    ).toBe(403);
    expect((await client.call("DELETE", "/api/users/me", { body: { password }, token: accessToken })).status).toBe(204);
    expect((await client.get("/api/users/me", accessToken)).status).toBe(401);
    expect((await client.get(`/api/users/${user.id}`)).status).toBe(404);
    expect((await client.post("/api/auth/register", { name: "Again", email, password })).status).toBe(201);
  });
});

describe("/api/auth/sessions", () => {
  test("lists the caller's sessions, marking the current one", async () => {
    const client = testClient(service);
    const { email, password, accessToken } = await client.register();
    await client.post("/api/auth/login", { email, password });
    const res = await client.get("/api/auth/sessions", accessToken);
    expect(res.status).toBe(200);
    const session = {
      id: expect.any(String),
      createdAt: expect.any(String),
      lastUsedAt: expect.any(String),
      userAgent: expect.any(String),
    };
    expect(res.body).toEqual({
      items: [
        { ...session, current: true },
        { ...session, current: false },
      ],
      nextCursor: null,
    });
  });

  test("pages with limit and cursor, oldest first, each session once", async () => {
    const client = testClient(service);
    const { email, password, accessToken } = await client.register();
    for (let i = 0; i < 4; i++) await client.post("/api/auth/login", { email, password });
    const seen: string[] = [];
    let cursor = "";
    for (let pages = 0; pages < 10; pages++) {
      const res = await client.get(`/api/auth/sessions?limit=2${cursor ? `&cursor=${cursor}` : ""}`, accessToken);
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...res.body.items.map((s: { id: string }) => s.id));
      if (!res.body.nextCursor) break;
      cursor = res.body.nextCursor;
    }
    expect({ sessions: seen.length, distinct: new Set(seen).size }).toEqual({ sessions: 5, distinct: 5 });
    expect((await client.get("/api/auth/sessions?cursor=forged", accessToken)).status).toBe(400);
  });

  test("DELETE /:id revokes one session; someone else's is a 404", async () => {
    const client = testClient(service);
    const mine = await client.register();
    const theirs = await client.register("Grace");
    const other = (await client.post("/api/auth/login", { email: mine.email, password: mine.password })).body;
    const otherId = (await client.get("/api/auth/sessions", mine.accessToken)).body.items[1].id;
    expect((await client.call("DELETE", `/api/auth/sessions/${otherId}`, { token: theirs.accessToken })).status).toBe(
      404,
    );
    expect((await client.call("DELETE", `/api/auth/sessions/${otherId}`, { token: mine.accessToken })).status).toBe(
      204,
    );
    expect((await client.get("/api/users/me", other.accessToken)).status).toBe(401);
    expect((await client.get("/api/users/me", mine.accessToken)).status).toBe(200);
  });

  test("DELETE / revokes them all, the caller's included", async () => {
    const client = testClient(service);
    const { accessToken, refreshToken } = await client.register();
    expect((await client.call("DELETE", "/api/auth/sessions", { token: accessToken })).status).toBe(204);
    expect((await client.get("/api/users/me", accessToken)).status).toBe(401);
    expect((await client.post("/api/auth/refresh", { refreshToken })).status).toBe(401);
  });
});

describe("public profiles", () => {
  test("GET /api/users/:id shows the public fields only; an unknown id is 404, a malformed one 400", async () => {
    const client = testClient(service);
    const { user } = await client.register();
    const res = await client.get(`/api/users/${user.id}`);
    expect(res.body).toEqual({ id: user.id, name: user.name, bio: "", createdAt: user.createdAt, postCount: 0 });
    expect((await client.get("/api/users/unknown-id")).status).toBe(404);
    expect((await client.get("/api/users/not%20an%20id")).status).toBe(400);
  });

  test("POST /api/users/batch returns the known users and leaves unknown ids out", async () => {
    const client = testClient(service);
    const a = (await client.register("Ann")).user;
    const b = (await client.register("Bob")).user;
    const res = await client.post("/api/users/batch", { ids: [a.id, "nobody", b.id] });
    expect(res.status).toBe(200);
    const names = res.body.users.map((user: { name: string }) => user.name).sort();
    expect(names).toEqual(["Ann", "Bob"]);
    expect(Object.keys(res.body.users[0]).sort()).toEqual(["bio", "createdAt", "id", "name", "postCount"]);
  });

  test("POST /api/users/batch refuses 0 or 101 ids", async () => {
    const client = testClient(service);
    expect((await client.post("/api/users/batch", { ids: [] })).status).toBe(400);
    const many = Array.from({ length: 101 }, (_, i) => `id${i}`);
    expect((await client.post("/api/users/batch", { ids: many })).status).toBe(400);
  });
});

describe("the stored documents", () => {
  test("keep the password hash out of the profile, as argon2id at m=19 MiB, t=2, p=1", async () => {
    const { user } = await testClient(service).register();
    const profile = await service.db.collection(collections.users).findOne({ _id: user.id as never });
    expect(JSON.stringify(profile)).not.toContain("argon2");
    const credentials = await service.db.collection(collections.credentials).findOne({ _id: user.id as never });
    expect(credentials?.passwordHash).toStartWith("$argon2id$v=19$m=19456,t=2,p=1$");
  });
});
