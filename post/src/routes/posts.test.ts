import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createKafka } from "@chirp/platform/kafka/client";
import { createLogger } from "@chirp/platform/logger";
import { uniqueName } from "@chirp/platform/testing";
import { desc } from "drizzle-orm";
import { authors, posts } from "../schema.ts";
import { type FakeAuth, startFakeAuth } from "../testing/fake-auth.ts";
import { startTestService, testConfig } from "../testing/index.ts";
import { eventsOf } from "../testing/test-events.ts";

let auth: FakeAuth;
let service: Awaited<ReturnType<typeof startTestService>>;
const ada = { id: uniqueName("ada"), name: "Ada" };
const bob = { id: uniqueName("bob"), name: "Bob" };

beforeAll(async () => {
  auth = await startFakeAuth();
  service = await startTestService(testConfig({ AUTH_URL: auth.url }));
  const updatedAt = new Date();
  await service.db.insert(authors).values([ada, bob].map((author) => ({ ...author, updatedAt })));
});
afterAll(async () => {
  await service[Symbol.asyncDispose]();
  auth[Symbol.dispose]();
});

async function call(method: string, path: string, { as, body }: { as?: string; body?: unknown } = {}) {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (as) headers.authorization = `Bearer ${await auth.tokens.sign({ sub: as })}`;
  const res = await fetch(new URL(path, service.url), {
    method,
    headers,
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return {
    status: res.status,
    type: res.headers.get("content-type"),
    retryAfter: res.headers.get("retry-after"),
    body: text ? JSON.parse(text) : null,
  };
}
const create = async (as: string, title = "Hello", content = "World") =>
  (await call("POST", "/api/posts", { as, body: { title, content } })).body as { id: string; createdAt: string };

describe("POST /api/posts", () => {
  test("publishes a post with its author (201) and emits post.created", async () => {
    const res = await call("POST", "/api/posts", { as: ada.id, body: { title: " Hi ", content: "First" } });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      title: "Hi",
      content: "First",
      createdAt: expect.any(String),
      updatedAt: res.body.createdAt,
      author: ada,
    });
    const kafka = createKafka({
      clientId: "t",
      brokers: service.config.KAFKA_BROKERS,
      logger: createLogger("t", "silent"),
    });
    const [event] = await eventsOf(kafka, service.config.KAFKA_TOPIC_PREFIX, res.body.id, 1);
    expect(event).toMatchObject({ type: "post.created", data: { postId: res.body.id, authorId: ada.id, title: "Hi" } });
  });

  test("refuses a missing or expired token with 401", async () => {
    expect((await call("POST", "/api/posts", { body: { title: "t", content: "c" } })).status).toBe(401);
    const expired = await auth.tokens.sign({ sub: ada.id }, -5);
    const res = await fetch(new URL("/api/posts", service.url), {
      method: "POST",
      headers: { authorization: `Bearer ${expired}`, "content-type": "application/json" },
      body: JSON.stringify({ title: "t", content: "c" }),
    });
    expect(res.status).toBe(401);
  });

  test("lists each invalid field in a 400 problem", async () => {
    const res = await call("POST", "/api/posts", { as: ada.id, body: { title: "x".repeat(201), content: "" } });
    expect(res.status).toBe(400);
    expect(res.type).toBe("application/problem+json");
    expect(res.body.errors.map((error: { path: string }) => error.path)).toEqual(["title", "content"]);
    const long = await call("POST", "/api/posts", { as: ada.id, body: { title: "t", content: "x".repeat(20_001) } });
    expect(long.status).toBe(400);
  });
});

describe("GET /api/posts/:id", () => {
  test("answers the post with its author, 404 for an unknown id and 400 for a malformed one", async () => {
    const post = await create(bob.id, "Bob's", "text");
    expect((await call("GET", `/api/posts/${post.id}`)).body).toMatchObject({ id: post.id, author: bob });
    expect((await call("GET", `/api/posts/${crypto.randomUUID()}`)).status).toBe(404);
    expect((await call("GET", "/api/posts/not-a-uuid")).status).toBe(400);
  });
});

describe("PATCH /api/posts/:id", () => {
  test("lets the author change it, and refuses others with 403", async () => {
    const post = await create(ada.id);
    const other = await call("PATCH", `/api/posts/${post.id}`, { as: bob.id, body: { title: "Mine now" } });
    expect(other.status).toBe(403);
    const res = await call("PATCH", `/api/posts/${post.id}`, { as: ada.id, body: { title: "Renamed" } });
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ id: post.id, title: "Renamed", content: "World", author: ada });
    expect(res.body.updatedAt >= post.createdAt).toBe(true);
    expect((await call("PATCH", `/api/posts/${post.id}`, { as: ada.id, body: {} })).status).toBe(400);
    const missing = await call("PATCH", `/api/posts/${crypto.randomUUID()}`, { as: ada.id, body: { title: "x" } });
    expect(missing.status).toBe(404);
  });
});

describe("DELETE /api/posts/:id", () => {
  test("lets the author delete (204), refuses others (403), and then it is gone (404)", async () => {
    const post = await create(ada.id);
    expect((await call("DELETE", `/api/posts/${post.id}`, { as: bob.id })).status).toBe(403);
    expect((await call("DELETE", `/api/posts/${post.id}`)).status).toBe(401);
    expect((await call("DELETE", `/api/posts/${post.id}`, { as: ada.id })).status).toBe(204);
    expect((await call("GET", `/api/posts/${post.id}`)).status).toBe(404);
    expect((await call("DELETE", `/api/posts/${post.id}`, { as: ada.id })).status).toBe(404);
  });

  test("lets an admin delete anyone's post", async () => {
    const post = await create(ada.id);
    const headers = { authorization: `Bearer ${await auth.tokens.sign({ sub: bob.id, role: "admin" })}` };
    const res = await fetch(new URL(`/api/posts/${post.id}`, service.url), { method: "DELETE", headers });
    expect(res.status).toBe(204);
    expect((await call("GET", `/api/posts/${post.id}`)).status).toBe(404);
  });
});

describe("GET /api/posts", () => {
  test("validates limit and cursor", async () => {
    for (const query of ["limit=0", "limit=101", "limit=x", "cursor=abc", "cursor=W10", "authorId=a%20b"]) {
      const res = await call("GET", `/api/posts?${query}`);
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
    }
  });

  test("filters by author", async () => {
    const only = { id: uniqueName("carol"), name: "Carol" };
    await service.db.insert(authors).values({ ...only, updatedAt: new Date() });
    const first = await create(only.id, "one");
    const second = await create(only.id, "two");
    const res = await call("GET", `/api/posts?authorId=${only.id}`);
    expect(res.body).toEqual({
      items: [second, first].map((post) => expect.objectContaining({ id: post.id, author: only })),
      nextCursor: null,
    });
  });

  // Posts written straight to the table: posting through the API would already have cached the names.
  // Each seeded post a millisecond after the last: two posts of the same millisecond would be ordered by
  // their random ids, not by when they were seeded.
  let seeded = Date.now();
  const seedPost = async (authorId: string) => {
    const id = crypto.randomUUID();
    seeded = Math.max(seeded + 1, Date.now());
    const createdAt = new Date(seeded);
    await service.db.insert(posts).values({ id, authorId, title: "from afar", content: "x", createdAt });
    return id;
  };

  test("completes authors the projection lacks with one batch lookup, cached", async () => {
    const strangers = [1, 2, 3].map((n) => ({ id: uniqueName(`stranger${n}`), name: `Stranger ${n}` }));
    for (const stranger of strangers) auth.addUser(stranger.id, stranger.name);
    for (const stranger of strangers) await seedPost(stranger.id);
    auth.batchCalls.length = 0;
    const page = await call("GET", "/api/posts?limit=3");
    expect(page.body.items.map((post: { author: unknown }) => post.author)).toEqual(strangers.toReversed());
    expect(auth.batchCalls.map((ids) => ids.toSorted())).toEqual([strangers.map((s) => s.id).toSorted()]);
    await call("GET", "/api/posts?limit=3");
    expect(auth.batchCalls).toHaveLength(1);
  });

  test("answers 503, not an empty author, when auth cannot complete the page", async () => {
    const stranger = uniqueName("offline");
    auth.addUser(stranger, "Offline");
    await seedPost(stranger);
    auth.state.available = false;
    try {
      const res = await call("GET", "/api/posts?limit=1");
      expect(res.status).toBe(503);
      expect(res.type).toBe("application/problem+json");
      expect(res.retryAfter).toBe("1");
    } finally {
      auth.state.available = true;
    }
  });

  test("a new author not yet projected posts under the name auth knows; with auth down nothing is written", async () => {
    const newcomer = { id: uniqueName("newcomer"), name: "Newcomer" };
    auth.addUser(newcomer.id, newcomer.name);
    auth.state.available = false;
    try {
      expect((await call("POST", "/api/posts", { as: newcomer.id, body: { title: "t", content: "c" } })).status).toBe(
        503,
      );
    } finally {
      auth.state.available = true;
    }
    expect((await call("GET", `/api/posts?authorId=${newcomer.id}`)).body.items).toEqual([]);
    const res = await call("POST", "/api/posts", { as: newcomer.id, body: { title: "t", content: "c" } });
    expect({ status: res.status, author: res.body.author }).toEqual({ status: 201, author: newcomer });
  });

  test("walks 250 posts with limit 20, each once and in order, while new posts arrive", async () => {
    const walker = { id: uniqueName("walker"), name: "Walker" };
    await service.db.insert(authors).values({ ...walker, updatedAt: new Date() });
    // Groups of five share a timestamp, so the id must break ties.
    const base = Date.parse("2020-01-01T00:00:00.000Z");
    const seeded = Array.from({ length: 250 }, (_, i) => ({
      id: crypto.randomUUID(),
      authorId: walker.id,
      title: `seed ${i}`,
      content: "x",
      createdAt: new Date(base + Math.floor(i / 5) * 1000),
    }));
    await service.db.insert(posts).values(seeded);
    const expected = (
      await service.db.select({ id: posts.id }).from(posts).orderBy(desc(posts.createdAt), desc(posts.id))
    ).map((row) => row.id);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `limit=20&cursor=${cursor}` : "limit=20";
      const [page] = await Promise.all([call("GET", `/api/posts?${query}`), create(walker.id, "meanwhile")]);
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((post: { id: string }) => post.id));
      cursor = page.body.nextCursor;
    } while (cursor);
    const newcomers = new Set(seen.filter((id) => !expected.includes(id)));
    expect(seen.filter((id) => !newcomers.has(id))).toEqual(expected);
    expect(expected.length).toBeGreaterThanOrEqual(250);
    expect(newcomers.size).toBeLessThanOrEqual(1);
  }, 30_000);
});

describe("GET /api/whoami", () => {
  test("answers who the token says the caller is, and 401 without one", async () => {
    const token = await auth.tokens.sign({ sub: ada.id });
    const res = await fetch(new URL("/api/whoami", service.url), { headers: { authorization: `Bearer ${token}` } });
    const { exp, sid } = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString()) as {
      exp: number;
      sid: string;
    };
    expect(await res.json()).toEqual({
      userId: ada.id,
      sessionId: sid,
      role: "user",
      expiresAt: new Date(exp * 1000).toISOString(),
    });
    expect((await call("GET", "/api/whoami")).status).toBe(401);
  });
});

describe("OpenAPI", () => {
  test("documents the post routes and their bearer security", async () => {
    const doc = (await (await fetch(new URL("/openapi.json", service.url))).json()) as {
      paths: Record<string, Record<string, { security?: unknown }>>;
      components: { securitySchemes: unknown };
    };
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(["/api/posts", "/api/posts/{id}"]));
    expect(doc.components.securitySchemes).toEqual({
      bearerAuth: { type: "http", scheme: "bearer", bearerFormat: "JWT", description: expect.any(String) },
    });
    expect(doc.paths["/api/posts"]?.post?.security).toEqual([{ bearerAuth: [] }]);
    expect(doc.paths["/api/posts"]?.get?.security).toEqual([]);
  });
});
