import { describe, expect, test } from "bun:test";
import { PostEvents } from "@chirp/contracts";
import { createKafka } from "@chirp/platform/kafka/client";
import { physicalName } from "@chirp/platform/kafka/topics";
import { createLogger } from "@chirp/platform/logger";
import { eventually, readTopic, startThrowawayKafka, uniqueName } from "@chirp/platform/testing";
import { connectDb, migrateDb } from "../db.ts";
import { authors, outbox } from "../schema.ts";
import { createPostStore } from "../stores/post-store.ts";
import { startFakeAuth } from "../testing/fake-auth.ts";
import { createTestDatabase, startTestService, testConfig } from "../testing/index.ts";

const logger = createLogger("outbox-test", "silent");
const origin = { source: "post" } as const;

/** Every message on the service's post-events topic, and how many there are in all partitions. */
async function postEvents(brokers: string[], prefix: string, expected: number) {
  const kafka = createKafka({ clientId: "outbox-test", brokers, logger });
  const topic = physicalName(prefix, PostEvents);
  const messages = await readTopic(kafka, topic, expected, 60_000);
  const admin = kafka.admin();
  await admin.connect();
  const offsets = await admin.fetchTopicOffsets(topic);
  await admin.disconnect();
  const total = offsets.reduce((sum, partition) => sum + Number(partition.high), 0);
  const events = messages.map(
    (message) => JSON.parse(message.value?.toString() ?? "null") as { data: { postId: string } },
  );
  return { total, postIds: events.map((event) => event.data.postId) };
}

describe("the transactional outbox", () => {
  test("with Kafka stopped, 50 posts are created, and their 50 post.created events arrive once it is back, each once", async () => {
    await using kafka = await startThrowawayKafka();
    using auth = await startFakeAuth();
    const config = testConfig({ KAFKA_BROKERS: kafka.brokers.join(","), AUTH_URL: auth.url });
    await using service = await startTestService(config);
    const readyz = async () => {
      const res = await fetch(new URL("/readyz", service.url));
      return { status: res.status, body: (await res.json()) as { checks: Record<string, string> } };
    };
    const author = { id: uniqueName("u"), name: "Ada" };
    await service.db.insert(authors).values({ ...author, updatedAt: new Date() });
    const headers = {
      authorization: `Bearer ${await auth.tokens.sign({ sub: author.id })}`,
      "content-type": "application/json",
    };

    await kafka.stop();
    const statuses: number[] = [];
    const ids: string[] = [];
    for (let i = 0; i < 50; i++) {
      const res = await fetch(new URL("/api/posts", service.url), {
        method: "POST",
        headers,
        body: JSON.stringify({ title: `offline ${i}`, content: "c" }),
      });
      statuses.push(res.status);
      ids.push(((await res.json()) as { id: string }).id);
    }
    expect(statuses).toEqual(Array(50).fill(201));
    const during = await eventually(async () => {
      const report = await readyz();
      return report.status === 503 && report;
    });
    expect(during.body.checks.kafka).not.toBe("ok");
    expect((await service.db.select().from(outbox)).length).toBe(50);

    const returned = Date.now();
    await kafka.start();
    await eventually(async () => (await service.db.select().from(outbox)).length === 0, {
      timeoutMs: 60_000,
      what: "the outbox to drain",
    });
    console.log(`50 events delivered ${Date.now() - returned} ms after Kafka was started again`);
    const { total, postIds } = await postEvents(kafka.brokers, config.KAFKA_TOPIC_PREFIX, 50);
    expect(total).toBe(50);
    expect(postIds.toSorted()).toEqual(ids.toSorted());
    // Ready again once the consumers replaced during the outage are back too.
    const after = await eventually(
      async () => {
        const report = await readyz();
        return report.status === 200 && report;
      },
      { timeoutMs: 30_000, what: "readyz 200 after the outage" },
    );
    expect(after.body.checks).toEqual({ postgres: "ok", kafka: "ok", outbox: "ok", consumers: "ok" });
  }, 120_000);

  test("a crash between commit and publish loses nothing: the next instance relays what was committed", async () => {
    const config = testConfig();
    await using _database = await createTestDatabase(config.DATABASE_URL);
    await migrateDb(config.DATABASE_URL);
    // An instance that commits and dies before its relay runs: the store with no relay behind it.
    const crashed = connectDb(config.DATABASE_URL, 2);
    const store = createPostStore(crashed.db);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push((await store.create("u1", { title: `t${i}`, content: "c" }, origin, async () => "Ada")).id);
    }
    await crashed.sql.end();

    await using _next = await startTestService(config, { ownDatabase: false });
    const { total, postIds } = await postEvents(config.KAFKA_BROKERS, config.KAFKA_TOPIC_PREFIX, 5);
    expect(postIds.toSorted()).toEqual(ids.toSorted());
    expect(total).toBe(5);
  }, 30_000);
});
