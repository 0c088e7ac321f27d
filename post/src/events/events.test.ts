import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  createEvent,
  SessionEvents,
  SessionRevoked,
  type TopicEvent,
  UserDeleted,
  UserEvents,
  UserRegistered,
  UserUpdated,
} from "@chirp/contracts";
import { createKafka } from "@chirp/platform/kafka/client";
import { createPublisher } from "@chirp/platform/kafka/publisher";
import { createLogger } from "@chirp/platform/logger";
import { eventually, uniqueName } from "@chirp/platform/testing";
import type { Producer } from "kafkajs";
import { posts } from "../schema.ts";
import { type FakeAuth, startFakeAuth } from "../testing/fake-auth.ts";
import { startTestService, testConfig } from "../testing/index.ts";
import { eventsOf } from "../testing/test-events.ts";

const auth = { source: "auth" } as const;
let fakeAuth: FakeAuth;
let service: Awaited<ReturnType<typeof startTestService>>;
const kafka = createKafka({
  clientId: "events-test",
  brokers: testConfig().KAFKA_BROKERS,
  logger: createLogger("t", "silent"),
});
let producer: Producer;
const publish = {
  user: (...events: TopicEvent<typeof UserEvents>[]) =>
    createPublisher(producer, service.config.KAFKA_TOPIC_PREFIX).publish(UserEvents, events),
  session: (...events: TopicEvent<typeof SessionEvents>[]) =>
    createPublisher(producer, service.config.KAFKA_TOPIC_PREFIX).publish(SessionEvents, events),
};

beforeAll(async () => {
  fakeAuth = await startFakeAuth();
  service = await startTestService(testConfig({ AUTH_URL: fakeAuth.url }));
  producer = kafka.producer();
  await producer.connect();
});
afterAll(async () => {
  await producer.disconnect();
  await service[Symbol.asyncDispose]();
  fakeAuth[Symbol.dispose]();
});

async function authorsOf(userId: string) {
  const page = (await (await fetch(new URL(`/api/posts?authorId=${userId}`, service.url))).json()) as {
    items: { author: { name: string } }[];
  };
  return page.items.map((post) => post.author.name);
}
async function seedPosts(authorId: string, count: number) {
  const ids = Array.from({ length: count }, () => crypto.randomUUID());
  await service.db.insert(posts).values(ids.map((id) => ({ id, authorId, title: "t", content: "c" })));
  return ids;
}
const register = (userId: string, name: string) =>
  createEvent(UserRegistered, { userId, name, email: `${userId}@example.com` }, auth);

describe("the authors projection, fed by user-events", () => {
  test("user.registered makes the author appear on their posts; user.updated renames them everywhere", async () => {
    const userId = uniqueName("u");
    await seedPosts(userId, 2);
    // Neither the projection nor auth knows the author yet, so the posts are not shown without one.
    expect(await authorsOf(userId)).toEqual([]);
    await publish.user(register(userId, "Ada"));
    await eventually(async () => (await authorsOf(userId)).join() === "Ada,Ada", { what: "the author" });
    await publish.user(createEvent(UserUpdated, { userId, name: "Ada L.", bio: "" }, auth));
    await eventually(async () => (await authorsOf(userId)).join() === "Ada L.,Ada L.", { what: "the rename" });
  });

  test("the same event delivered twice changes nothing", async () => {
    const userId = uniqueName("u");
    await seedPosts(userId, 1);
    const first = register(userId, "Grace");
    const rename = createEvent(UserUpdated, { userId, name: "Grace H.", bio: "" }, auth);
    const before = service.applied["user-events"];
    await publish.user(first, rename, first, rename);
    // Same key, same partition: once this one is applied, the duplicates before it have been seen.
    const marker = createEvent(UserUpdated, { userId, name: "Grace H.", bio: "done" }, auth);
    await publish.user(marker);
    await eventually(() => service.applied["user-events"] === before + 3, { what: "three applied events" });
    expect(await authorsOf(userId)).toEqual(["Grace H."]);
    const [row] = await service.sql`select count(*)::int as n from processed_events where event_id in ${service.sql([
      first.id,
      rename.id,
      marker.id,
    ])}`;
    expect(row?.n).toBe(3);
  });

  test("user.deleted removes their posts and announces each with post.deleted", async () => {
    const userId = uniqueName("u");
    await publish.user(register(userId, "Linus"));
    await eventually(async () => (await service.sql`select 1 from authors where id = ${userId}`).length === 1);
    const token = await fakeAuth.tokens.sign({ sub: userId });
    const created = await Promise.all(
      [1, 2].map(async (n) => {
        const res = await fetch(new URL("/api/posts", service.url), {
          method: "POST",
          headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
          body: JSON.stringify({ title: `post ${n}`, content: "c" }),
        });
        return ((await res.json()) as { id: string }).id;
      }),
    );
    const deleted = createEvent(UserDeleted, { userId }, { source: "auth", correlationId: "delete-req" });
    await publish.user(deleted);
    await eventually(async () => (await service.sql`select 1 from posts where author_id = ${userId}`).length === 0);
    for (const postId of created) {
      const events = await eventsOf(kafka, service.config.KAFKA_TOPIC_PREFIX, postId, 2);
      expect(events.map((event) => [event.type, event.correlationId ?? null])).toEqual([
        ["post.created", expect.any(String)],
        ["post.deleted", "delete-req"],
      ]);
    }
    // A replayed registration cannot bring the deleted author back.
    await publish.user(register(userId, "Linus again"));
    await seedPosts(userId, 1);
    const res = await fetch(new URL("/api/posts", service.url), {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ title: "late", content: "c" }),
    });
    expect(res.status).toBe(403);
  }, 30_000);
});

describe("revocation, fed by session-events", () => {
  const postAs = async (token: string) =>
    (
      await fetch(new URL("/api/posts", service.url), {
        method: "POST",
        headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
        body: JSON.stringify({ title: "t", content: "c" }),
      })
    ).status;

  test("after session.revoked, a still-valid token of that session gets 401 within a second", async () => {
    const userId = uniqueName("u");
    await publish.user(register(userId, "Sam"));
    const sessionId = uniqueName("s");
    const token = await fakeAuth.tokens.sign({ sub: userId, sid: sessionId });
    const otherSession = await fakeAuth.tokens.sign({ sub: userId });
    await eventually(async () => (await postAs(token)) === 201);
    await publish.session(createEvent(SessionRevoked, { userId, sessionId }, auth));
    const published = Date.now();
    await eventually(async () => (await postAs(token)) === 401, { timeoutMs: 1000, intervalMs: 10 });
    console.log(`revoked session refused after ${Date.now() - published} ms`);
    expect(await postAs(otherSession)).toBe(201);
  });

  test("after all sessions are revoked, older tokens get 401 and newer ones still work", async () => {
    const userId = uniqueName("u");
    await publish.user(register(userId, "Kim"));
    const old = await fakeAuth.tokens.sign({ sub: userId });
    await eventually(async () => (await postAs(old)) === 201);
    const revoked = createEvent(SessionRevoked, { userId, all: true }, auth);
    await publish.session(revoked);
    await eventually(async () => (await postAs(old)) === 401, { timeoutMs: 1000, intervalMs: 10 });
    const later = Math.floor(Date.parse(revoked.occurredAt) / 1000) + 1;
    expect(await postAs(await fakeAuth.tokens.sign({ sub: userId, iat: later }))).toBe(201);
  });
});
