import { describe, expect, test } from "bun:test";
import { createEvent, deadLetterTopic, type TopicEvent, UserEvents, UserRegistered } from "@chirp/contracts";
import { eventually, readTopic, uniqueName } from "../testing.ts";
import { type BatchHandler, type EventHandler, startConsumer, subscription } from "./consumer.ts";
import { useTestBroker } from "./test-broker.ts";
import { ensureTopics, physicalName } from "./topics.ts";

const broker = useTestBroker("batch-test");
const { kafka, admin, producer, logger } = broker;
type UserEvent = TopicEvent<typeof UserEvents>;

const registered = (name: string) =>
  createEvent(UserRegistered, { userId: uniqueName("u"), name, email: `${name}@example.com` }, { source: "auth" });

/**
 * Fresh topics holding `values` on one partition (one key) before any consumer starts, so the first fetch
 * returns them together as one batch.
 */
async function topicHolding(values: (UserEvent | string)[]) {
  const prefix = `${uniqueName("b")}.`;
  broker.created(await ensureTopics(admin, [UserEvents], { prefix, partitions: 3, replicationFactor: 1 }));
  const topic = physicalName(prefix, UserEvents);
  const messages = values.map((value) => ({
    key: "k",
    value: typeof value === "string" ? value : JSON.stringify(value),
  }));
  await producer.send({ topic, acks: -1, messages });
  return { prefix, topic };
}

async function consume(
  prefix: string,
  handle: EventHandler<typeof UserEvents>,
  handleBatch: BatchHandler<typeof UserEvents>,
) {
  const consumer = await startConsumer({
    kafka,
    groupId: uniqueName("g"),
    prefix,
    producer,
    logger,
    retry: { attempts: 3, initialDelayMs: 10, maxDelayMs: 40 },
    subscriptions: [subscription(UserEvents, handle, { handleBatch, maxEvents: 20 })],
  });
  broker.track(consumer);
  return consumer;
}

const ids = (events: UserEvent[]) => events.map((event) => event.id);
const noSingles: EventHandler<typeof UserEvents> = async (event) => {
  throw new Error(`per-message handler called for ${event.id}`);
};

async function deadLetterCount(topic: string) {
  const offsets = await admin.fetchTopicOffsets(deadLetterTopic(topic));
  return offsets.reduce((sum, partition) => sum + Number(partition.high), 0);
}

describe("batch mode of the consumer runner, through the real broker", () => {
  test("hands a partition's events to the batch handler in offset order, in chunks of at most maxEvents", async () => {
    const events = Array.from({ length: 50 }, (_, i) => registered(`n${i}`));
    const { prefix, topic } = await topicHolding(events);
    const chunks: UserEvent[][] = [];
    await consume(prefix, noSingles, async (chunk) => void chunks.push(chunk));
    await eventually(() => chunks.flat().length === 50, { what: "50 events in chunks" });
    expect(ids(chunks.flat())).toEqual(ids(events));
    // How many messages one fetch returns is the broker's choice; the chunks never exceed maxEvents and
    // do batch (the 50 events were on the topic before the consumer started: usually 20, 20, 10).
    expect(chunks.every((chunk) => chunk.length <= 20)).toBe(true);
    expect(Math.max(...chunks.map((chunk) => chunk.length))).toBe(20);
    expect(await deadLetterCount(topic)).toBe(0);
  });

  test("dead-letters a malformed message in the middle of a batch and applies its neighbours together", async () => {
    const [before, after] = [registered("before"), registered("after")];
    const { prefix, topic } = await topicHolding([before, "{not json", after]);
    const chunks: UserEvent[][] = [];
    await consume(prefix, noSingles, async (chunk) => void chunks.push(chunk));
    await eventually(() => chunks.length === 1, { what: "the neighbours" });
    expect(chunks.map(ids)).toEqual([[before.id, after.id]]);
    const [dead] = await readTopic(kafka, deadLetterTopic(topic), 1);
    expect(dead?.value?.toString()).toBe("{not json");
    expect(dead?.headers?.["dlq-reason"]?.toString()).toBe("malformed");
    expect(dead?.headers?.["dlq-offset"]?.toString()).toBe("1");
  });

  test("retries a chunk that fails once, whole, and dead-letters nothing", async () => {
    const events = [registered("a"), registered("b"), registered("c")];
    const { prefix, topic } = await topicHolding(events);
    const calls: UserEvent[][] = [];
    await consume(prefix, noSingles, async (chunk) => {
      calls.push(chunk);
      if (calls.length === 1) throw new Error("database blinked");
    });
    await eventually(() => calls.length === 2, { what: "the retried chunk" });
    expect(calls.map(ids)).toEqual([ids(events), ids(events)]);
    expect(await deadLetterCount(topic)).toBe(0);
  });

  test("falls back to one event at a time for a chunk that keeps failing, dead-lettering only the poison event", async () => {
    const [first, poison, last] = [registered("first"), registered("poison"), registered("last")];
    const { prefix, topic } = await topicHolding([first, poison, last]);
    let chunkCalls = 0;
    const applied: string[] = [];
    await consume(
      prefix,
      async (event) => {
        if (event.id === poison.id) throw new Error("poisoned");
        applied.push(event.id);
      },
      async () => {
        chunkCalls++;
        throw new Error("poisoned");
      },
    );
    const [dead] = await readTopic(kafka, deadLetterTopic(topic), 1);
    expect(JSON.parse(dead?.value?.toString() ?? "null")).toEqual(poison);
    expect(dead?.headers?.["dlq-reason"]?.toString()).toBe("handler-failed");
    expect(dead?.headers?.["dlq-error"]?.toString()).toBe("poisoned");
    await eventually(() => applied.length === 2, { what: "the neighbours one by one" });
    expect({ chunkCalls, applied, dead: await deadLetterCount(topic) }).toEqual({
      chunkCalls: 3,
      applied: [first.id, last.id],
      dead: 1,
    });
  });

  test("a consumer stopped the moment it has applied everything has committed all of it", async () => {
    const { prefix, topic } = await broker.freshTopics([UserEvents], 3);
    const events = Array.from({ length: 60 }, (_, i) => registered(`s${i}`));
    // Keyed by user: the events spread over the three partitions, whose chunks are applied and committed at once.
    await producer.send({
      topic,
      acks: -1,
      messages: events.map((event) => ({ key: event.data.userId, value: JSON.stringify(event) })),
    });
    const groupId = uniqueName("g");
    let applied = 0;
    const all = Promise.withResolvers<void>();
    const count = (n: number) => {
      applied += n;
      if (applied === events.length) all.resolve();
    };
    const consumer = await startConsumer({
      kafka,
      groupId,
      prefix,
      producer,
      logger,
      concurrency: 3,
      subscriptions: [
        subscription(UserEvents, async () => count(1), { handleBatch: async (chunk) => count(chunk.length) }),
      ],
    });
    await all.promise;
    await consumer.stop();

    const ends = await admin.fetchTopicOffsets(topic);
    const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
    const byPartition = (offsets: { partition: number; offset: string }[]) =>
      Object.fromEntries(offsets.map(({ partition, offset }) => [partition, offset]));
    expect(byPartition(committed?.partitions ?? [])).toEqual(byPartition(ends));
  });

  test("a consumer stopped while retrying a chunk leaves it, uncommitted, to the next member of the group", async () => {
    const events = [registered("x"), registered("y")];
    const { prefix } = await topicHolding(events);
    const groupId = uniqueName("g");
    const failing: UserEvent[][] = [];
    const options = { kafka, groupId, prefix, producer, logger, concurrency: 1 };
    const first = await startConsumer({
      ...options,
      // Long backoffs: the stop must cut them short rather than wait them out.
      retry: { attempts: 100, initialDelayMs: 60_000, maxDelayMs: 60_000 },
      subscriptions: [
        subscription(UserEvents, noSingles, {
          handleBatch: async (chunk) => {
            failing.push(chunk);
            throw new Error("down");
          },
        }),
      ],
    });
    await eventually(() => failing.length === 1, { what: "the first attempt" });
    const stopping = Date.now();
    await first.stop();
    expect(Date.now() - stopping).toBeLessThan(5000);

    const applied: UserEvent[][] = [];
    broker.track(
      await startConsumer({
        ...options,
        subscriptions: [
          subscription(UserEvents, noSingles, { handleBatch: async (chunk) => void applied.push(chunk) }),
        ],
      }),
    );
    await eventually(() => applied.length === 1, { timeoutMs: 30_000, what: "the chunk, redelivered" });
    expect(applied.map(ids)).toEqual([ids(events)]);
  }, 45_000);
});
