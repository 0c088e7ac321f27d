import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { parseEvent, SessionEvents, type TopicDefinition, type TopicEvent, UserEvents } from "@chirp/contracts";
import { createKafka } from "@chirp/platform/kafka/client";
import { physicalName } from "@chirp/platform/kafka/topics";
import { createLogger } from "@chirp/platform/logger";
import { eventually, readTopic, startThrowawayKafka, uniqueName } from "@chirp/platform/testing";
import { collections } from "../db.ts";
import { startTestService, type TestService, testClient, testConfig } from "../testing/index.ts";
import { createLease } from "./lease.ts";
import type { OutboxDocument } from "./outbox-types.ts";

const logger = createLogger("auth-events-test", "silent");
type Messages = Awaited<ReturnType<typeof readTopic>>;
const parsed = <T extends TopicDefinition>(topic: T, messages: Messages): TopicEvent<T>[] =>
  messages.map((message) => {
    const result = parseEvent(topic, message.value ?? "");
    if (!result.ok) throw new Error(result.message);
    return result.event;
  });

describe("events through the outbox", () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService();
  });
  afterAll(() => service[Symbol.asyncDispose]());

  test("register, login, update and delete put valid events on their topics, in order; a no-op update none", async () => {
    const client = testClient(service);
    const { user, email, password, accessToken } = await client.register("Ada");
    await client.post("/api/auth/login", { email, password: "wrong password" });
    const login = await client.post("/api/auth/login", { email, password });
    await client.call("PATCH", "/api/users/me", { body: { bio: "hi" }, token: accessToken });
    // Edits that change nothing answer 200 and emit nothing.
    for (const body of [{}, { bio: "hi" }, { name: "Ada", bio: "hi" }]) {
      const noop = await client.call("PATCH", "/api/users/me", { body, token: accessToken });
      expect([noop.status, noop.body.name, noop.body.bio]).toEqual([200, "Ada", "hi"]);
    }
    await client.call("DELETE", "/api/users/me", { body: { password }, token: accessToken });

    const kafka = createKafka({ clientId: "reader", brokers: service.config.KAFKA_BROKERS, logger });
    const prefix = service.config.KAFKA_TOPIC_PREFIX;
    const userEvents = parsed(UserEvents, await readTopic(kafka, physicalName(prefix, UserEvents), 3));
    expect(userEvents.map((event): unknown[] => [event.type, event.data])).toEqual([
      ["user.registered", { userId: user.id, name: "Ada", email }],
      ["user.updated", { userId: user.id, name: "Ada", bio: "hi" }],
      ["user.deleted", { userId: user.id }],
    ]);
    expect(userEvents.every((event) => event.source === "auth" && event.correlationId)).toBe(true);

    const sessionEvents = parsed(SessionEvents, await readTopic(kafka, physicalName(prefix, SessionEvents), 4));
    const loginSid = JSON.parse(Buffer.from(login.body.accessToken.split(".")[1], "base64url").toString()).sid;
    expect(sessionEvents.map((event): unknown[] => [event.type, event.data])).toEqual([
      ["user.logged_in", { userId: user.id, sessionId: expect.any(String) }],
      ["user.login_failed", { userId: user.id, email, reason: "wrong_password" }],
      ["user.logged_in", { userId: user.id, sessionId: loginSid }],
      ["session.revoked", { userId: user.id, all: true }],
    ]);
    expect(await service.db.collection(collections.outbox).countDocuments()).toBe(0);
  });

  test("the sweeper publishes a stale entry whose change happened and withdraws one whose change did not", async () => {
    const { user } = await testClient(service).register();
    const outbox = service.db.collection<OutboxDocument>(collections.outbox);
    const stale = new Date(Date.now() - 10 * 60_000);
    const entry = (id: string, userId: string): OutboxDocument => ({
      _id: id,
      seq: 0,
      status: "pending",
      topic: UserEvents.name,
      createdAt: stale,
      check: { collection: collections.users, ids: [userId], expect: "present" },
      event: {
        id,
        type: "user.updated",
        version: 1,
        occurredAt: stale.toISOString(),
        source: "auth",
        data: { userId, name: "N", bio: "" },
      },
    });
    await outbox.insertMany([entry(crypto.randomUUID(), user.id), entry(crypto.randomUUID(), "never-created")]);
    expect(await service.outboxStore.sweep()).toEqual({ ready: 1, withdrawn: 1 });
  });
});

describe("the outbox relay lease", () => {
  let service: TestService;
  beforeAll(async () => {
    service = await startTestService();
  });
  afterAll(() => service[Symbol.asyncDispose]());

  test("is held by one instance at a time and passes on when released or expired", async () => {
    const name = uniqueName("lease");
    // a's lease outlives two round trips on a loaded machine (200 ms did not), and expires within the wait.
    const [a, b] = [createLease(service.db, name, "a", 2000), createLease(service.db, name, "b", 30_000)];
    expect(await a.acquire()).toBe(true);
    expect(await b.acquire()).toBe(false);
    await eventually(() => b.acquire(), { what: "b to take over the expired lease" });
    expect(await a.acquire()).toBe(false);
    await b.release();
    expect(await a.acquire()).toBe(true);
  });
});

describe("a Kafka outage", () => {
  test("registrations succeed while Kafka is down and each event arrives once when it is back", async () => {
    await using broker = await startThrowawayKafka();
    await using service = await startTestService(testConfig({ KAFKA_BROKERS: broker.brokers.join(",") }));
    const readyz = async () => {
      const res = await fetch(new URL("/readyz", service.url));
      return { status: res.status, body: (await res.json()) as { checks: Record<string, string> } };
    };
    expect((await readyz()).status).toBe(200);
    await broker.stop();

    const client = testClient(service);
    const ids: string[] = [];
    const started = performance.now();
    for (let i = 0; i < 50; i++) ids.push((await client.register(`user${i}`)).user.id);
    console.log(`50 registrations with Kafka down: ${Math.round(performance.now() - started)} ms`);
    const down = await eventually(async () => {
      const result = await readyz();
      return result.status === 503 && result;
    });
    expect(down.body.checks.mongodb).toBe("ok");
    expect(down.body.checks.kafka).not.toBe("ok");

    await broker.start();
    const back = performance.now();
    const kafka = createKafka({ clientId: "reader", brokers: broker.brokers, logger });
    const topic = physicalName(service.config.KAFKA_TOPIC_PREFIX, UserEvents);
    const events = parsed(UserEvents, await readTopic(kafka, topic, 50, 60_000));
    console.log(`all 50 user.registered delivered ${Math.round(performance.now() - back)} ms after Kafka returned`);
    expect(events.map((event) => event.data.userId).sort()).toEqual([...ids].sort());
    const admin = kafka.admin();
    await admin.connect();
    const offsets = await admin.fetchTopicOffsets(topic);
    await admin.disconnect();
    expect(offsets.reduce((sum, partition) => sum + Number(partition.high), 0)).toBe(50);
    await eventually(async () => (await readyz()).status === 200, { timeoutMs: 30_000, what: "readyz 200" });
  }, 120_000);
});
