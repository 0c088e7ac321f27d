import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createEvent, PostCreated, PostDeleted, PostEvents, type TopicEvent } from "@chirp/contracts";
import { createKafka } from "@chirp/platform/kafka/client";
import { createPublisher, type EventPublisher } from "@chirp/platform/kafka/publisher";
import { physicalName } from "@chirp/platform/kafka/topics";
import { createLogger } from "@chirp/platform/logger";
import { eventually, uniqueName } from "@chirp/platform/testing";
import { mailedToken, startTestService, type TestService, testClient, testConfig } from "../testing/index.ts";

const logger = createLogger("activity-test", "silent");
const adminEmail = `${uniqueName("admin")}@example.com`;
let service: TestService;
type Kafka = ReturnType<typeof createKafka>;
let producer: ReturnType<Kafka["producer"]>;
let admin: ReturnType<Kafka["admin"]>;
let publisher: EventPublisher;
let adminToken: string;

beforeAll(async () => {
  service = await startTestService(testConfig({ ADMIN_EMAILS: adminEmail }));
  const kafka = createKafka({ clientId: "activity-test", brokers: service.config.KAFKA_BROKERS, logger });
  producer = kafka.producer();
  admin = kafka.admin();
  await Promise.all([producer.connect(), admin.connect()]);
  publisher = createPublisher(producer, service.config.KAFKA_TOPIC_PREFIX);
  const password = "correct horse battery";
  const client = testClient(service);
  const res = await client.post("/api/auth/register", { name: "Root", email: adminEmail, password });
  // Admin once the address is verified; a refresh (no event) carries the role.
  await client.post("/api/auth/email/verify", { token: await mailedToken(service, res.body.user.id, "verify-email") });
  adminToken = (await client.post("/api/auth/refresh", { refreshToken: res.body.refreshToken })).body.accessToken;
});
afterAll(async () => {
  await Promise.all([producer.disconnect(), admin.disconnect()]);
  await service[Symbol.asyncDispose]();
});

type PostEvent = TopicEvent<typeof PostEvents>;
const at = (offsetMs: number) => new Date(Date.now() + offsetMs);
const created = (authorId: string, postId: string, when = new Date()): PostEvent =>
  createEvent(PostCreated, { postId, authorId, title: `Post ${postId}` }, { source: "post" }, when);
const deleted = (authorId: string, postId: string, when = new Date()): PostEvent =>
  createEvent(PostDeleted, { postId, authorId }, { source: "post" }, when);

/** Resolves once the service's consumer group has committed every message on the post-events topic. */
async function postEventsConsumed() {
  const topic = physicalName(service.config.KAFKA_TOPIC_PREFIX, PostEvents);
  await eventually(
    async () => {
      const ends = await admin.fetchTopicOffsets(topic);
      const [committed] = await admin.fetchOffsets({ groupId: service.config.KAFKA_GROUP_ID, topics: [topic] });
      return ends.every(
        (end) => committed?.partitions.find((p) => p.partition === end.partition)?.offset === end.offset,
      );
    },
    { what: "post-events consumed to the end" },
  );
}

describe("activity and stats", () => {
  // Runs first: the admin's registration (beforeAll) and this script are all the service has seen.
  test("reflect a scripted sequence of registrations, logins, failed logins and posts exactly", async () => {
    const client = testClient(service);
    const { user, email, password, accessToken } = await client.register("Alice");
    const login = await client.post("/api/auth/login", { email, password });
    expect(login.status).toBe(200);
    expect((await client.post("/api/auth/login", { email, password: "not the password" })).status).toBe(401);
    expect(
      (await client.post("/api/auth/login", { email: `${uniqueName("nobody")}@example.com`, password })).status,
    ).toBe(401);
    expect((await client.post("/api/auth/logout", { refreshToken: login.body.refreshToken })).status).toBe(204);
    // Explicit times after the HTTP calls, so the expected order of the post events is certain.
    await publisher.publish(PostEvents, [created(user.id, "p1", at(10)), created(user.id, "p2", at(20))]);
    await publisher.publish(PostEvents, [deleted(user.id, "p1", at(30))]);

    const expected = [
      "post.deleted",
      "post.created",
      "post.created",
      "session.revoked",
      "user.login_failed",
      "user.logged_in",
      "user.logged_in",
      "user.registered",
    ];
    const all = await eventually(async () => {
      const res = await client.get("/api/activity?limit=100", accessToken);
      return res.body.items.length === expected.length && res.body;
    });
    expect(all.items.map((item: { type: string }) => item.type)).toEqual(expected);
    expect(all.nextCursor).toBeNull();
    expect(all.items[0]).toEqual({
      id: expect.any(String),
      type: "post.deleted",
      occurredAt: expect.any(String),
      data: { postId: "p1", authorId: user.id },
    });

    const pages: unknown[] = [];
    let cursor: string | null = null;
    do {
      const res = await client.get(`/api/activity?limit=3${cursor ? `&cursor=${cursor}` : ""}`, accessToken);
      expect(res.status).toBe(200);
      pages.push(...res.body.items);
      cursor = res.body.nextCursor;
    } while (cursor);
    expect(pages).toEqual(all.items);

    const today = new Date();
    const day = (offset: number) => new Date(today.getTime() + offset * 86_400_000).toISOString().slice(0, 10);
    const range = `/api/stats?from=${day(-1)}&to=${day(1)}`;
    const totals = {
      "user.registered": 2,
      "user.logged_in": 3,
      "user.login_failed": 2,
      "session.revoked": 1,
      "post.created": 2,
      "post.deleted": 1,
    };
    const stats = await eventually(async () => {
      const res = await client.get(range, adminToken);
      return Object.values(res.body.totals as Record<string, number>).reduce((a, b) => a + b, 0) === 11 && res.body;
    });
    expect(stats.totals).toEqual(totals);
    expect(stats.from).toBe(day(-1));
    expect(stats.to).toBe(day(1));
    const summed: Record<string, number> = {};
    for (const { counts } of stats.days as { counts: Record<string, number> }[]) {
      for (const [type, count] of Object.entries(counts)) summed[type] = (summed[type] ?? 0) + count;
    }
    expect(summed).toEqual(totals);
    expect((await client.get(`/api/users/${user.id}`)).body.postCount).toBe(1);
  });

  test("stats are for admins: a user gets 403, a bad range 400", async () => {
    const client = testClient(service);
    const { accessToken } = await client.register("Mallory");
    expect((await client.get("/api/stats", accessToken)).status).toBe(403);
    expect((await client.get("/api/stats")).status).toBe(401);
    const token = adminToken;
    expect((await client.get("/api/stats?from=2024-01-01&to=2025-12-31", token)).status).toBe(400);
    expect((await client.get("/api/stats?from=2025-02-01&to=2025-01-01", token)).status).toBe(400);
    expect((await client.get("/api/stats?from=2024-01-01&to=2024-12-31", token)).status).toBe(200);
  });

  test("activity refuses a limit outside 1..100 and a forged cursor", async () => {
    const client = testClient(service);
    const { accessToken } = await client.register();
    for (const query of ["limit=0", "limit=101", "cursor=not-a-cursor"]) {
      const res = await client.get(`/api/activity?${query}`, accessToken);
      expect(res.status).toBe(400);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
    }
  });
});

describe("postCount", () => {
  test("stays exact when every post event is delivered twice, deletions overtaking creations", async () => {
    const { user } = await testClient(service).register("Poster");
    const a = user.id;
    // Per post (one key, one partition, so this is the order of arrival): some deletions come first.
    const perPost: PostEvent[][] = [];
    for (const post of ["q1", "q2", "q3", "q4", "q5", "q6"]) {
      const c = created(a, post);
      const d = deleted(a, post);
      if (post === "q1" || post === "q2") perPost.push([d, c, d, c]);
      else if (post === "q3") perPost.push([c, d, c, d]);
      else perPost.push([c, c]);
    }
    for (const events of perPost) await publisher.publish(PostEvents, events);
    await postEventsConsumed();
    expect((await testClient(service).get(`/api/users/${a}`)).body.postCount).toBe(3);
  });
});
