import { describe, expect, test } from "bun:test";
import { createEvent, deadLetterTopic, type TopicEvent, UserEvents, UserRegistered } from "@chirp/contracts";
import type { Producer } from "kafkajs";
import pino from "pino";
import { eventually, readTopic, startThrowawayKafka, uniqueName } from "../testing.ts";
import { createKafka } from "./client.ts";
import { startConsumer, subscription } from "./consumer.ts";
import { createPublisher } from "./publisher.ts";
import { useTestBroker } from "./test-broker.ts";
import { ensureTopics } from "./topics.ts";

const broker = useTestBroker("kafka-test");
const { kafka, admin, producer, logger } = broker;
type UserEvent = TopicEvent<typeof UserEvents>;

const registered = (name: string) =>
  createEvent(UserRegistered, { userId: uniqueName("u"), name, email: `${name}@example.com` }, { source: "auth" });

/** A fresh prefix per test, so no test sees another's messages. */
const freshTopics = () => broker.freshTopics();

describe("ensureTopics", () => {
  test("creates each topic with its dead-letter twin, once", async () => {
    const prefix = `${uniqueName("t")}.`;
    const settings = { prefix, partitions: 2, replicationFactor: 1 };
    const created = await ensureTopics(admin, [UserEvents], settings);
    broker.created(created);
    expect(created).toEqual([`${prefix}user-events`, `${prefix}user-events.dlq`]);
    expect(await ensureTopics(admin, [UserEvents], settings)).toEqual([]);
    const metadata = await admin.fetchTopicMetadata({ topics: created });
    expect(metadata.topics.map((topic) => topic.partitions.length)).toEqual([2, 2]);
  });
});

describe("publisher and consumer runner through the real broker", () => {
  test("an event published is received parsed, with its metadata", async () => {
    const { prefix, topic } = await freshTopics();
    const received: unknown[] = [];
    await broker.consume({
      prefix,
      subscriptions: [subscription(UserEvents, async (event, meta) => void received.push({ event, meta }))],
    });
    const event = registered("ada");
    await createPublisher(producer, prefix).publish(UserEvents, [event]);
    await eventually(() => received.length === 1, { what: "the event" });
    expect(received).toEqual([{ event, meta: { topic, partition: expect.any(Number), offset: "0" } }]);
  });

  test("a malformed message goes to the dead-letter topic and consumption goes on", async () => {
    const { prefix, topic } = await freshTopics();
    const handled: string[] = [];
    await broker.consume({
      prefix,
      subscriptions: [subscription(UserEvents, async (event) => void handled.push(event.id))],
    });
    // Same key, so the poison message sits in front of the good one on one partition.
    await producer.send({ topic, messages: [{ key: "k", value: "{not json" }] });
    const good = registered("grace");
    await producer.send({ topic, messages: [{ key: "k", value: JSON.stringify(good) }] });
    await eventually(() => handled.length === 1, { what: "the message after the poison one" });
    expect(handled).toEqual([good.id]);

    const [dead] = await readTopic(kafka, deadLetterTopic(topic), 1);
    expect(dead?.value?.toString()).toBe("{not json");
    expect(dead?.headers?.["dlq-reason"]?.toString()).toBe("malformed");
    expect(dead?.headers?.["dlq-topic"]?.toString()).toBe(topic);
    expect(dead?.headers?.["dlq-error"]?.toString()).toContain("not JSON");
  });

  test("a handler that fails once sees the message again, and it is not dead-lettered", async () => {
    const { prefix, topic } = await freshTopics();
    const attempts: string[] = [];
    const done: string[] = [];
    await broker.consume({
      prefix,
      retry: { attempts: 3, initialDelayMs: 10, maxDelayMs: 50 },
      subscriptions: [
        subscription(UserEvents, async (event) => {
          attempts.push(event.id);
          if (attempts.length === 1) throw new Error("database blinked");
          done.push(event.id);
        }),
      ],
    });
    const event = registered("linus");
    await createPublisher(producer, prefix).publish(UserEvents, [event]);
    await eventually(() => done.length === 1, { what: "the retried message" });
    expect(attempts).toEqual([event.id, event.id]);
    const offsets = await admin.fetchTopicOffsets(deadLetterTopic(topic));
    expect(offsets.every((partition) => partition.high === "0")).toBe(true);
  });

  test("an event failing while its store is down is retried until the store is back, never dead-lettered", async () => {
    const { prefix, topic } = await freshTopics();
    let storeUp = false;
    let failures = 0;
    const applied: string[] = [];
    await broker.consume({
      prefix,
      retry: { attempts: 2, initialDelayMs: 10, maxDelayMs: 20 },
      dependencies: async () => {
        if (!storeUp) throw new Error("connection refused");
      },
      subscriptions: [
        subscription(UserEvents, async (event) => {
          if (!storeUp) {
            failures++;
            throw new Error("connection refused");
          }
          applied.push(event.id);
        }),
      ],
    });
    const event = registered("outage");
    await createPublisher(producer, prefix).publish(UserEvents, [event]);
    // Well past the two attempts that would dead-letter a poison event.
    await eventually(() => failures >= 6, { what: "retries during the outage" });
    storeUp = true;
    await eventually(() => applied.length === 1, { what: "the event applied once the store is back" });
    expect(applied).toEqual([event.id]);
    const offsets = await admin.fetchTopicOffsets(deadLetterTopic(topic));
    expect(offsets.every((partition) => partition.high === "0")).toBe(true);
  });

  test("a message that keeps failing is dead-lettered with the handler's error", async () => {
    const { prefix, topic } = await freshTopics();
    await broker.consume({
      prefix,
      retry: { attempts: 2, initialDelayMs: 10, maxDelayMs: 20 },
      subscriptions: [
        subscription(UserEvents, async () => {
          throw new Error("always broken");
        }),
      ],
    });
    const event = registered("ken");
    await createPublisher(producer, prefix).publish(UserEvents, [event]);
    const [dead] = await readTopic(kafka, deadLetterTopic(topic), 1);
    expect(JSON.parse(dead?.value?.toString() ?? "null")).toEqual(event);
    expect(dead?.headers?.["dlq-reason"]?.toString()).toBe("handler-failed");
    expect(dead?.headers?.["dlq-error"]?.toString()).toBe("always broken");
  });
});

describe("a consumer across a broker restart", () => {
  test("starts itself again and consumes what is published after the broker is back", async () => {
    await using broker = await startThrowawayKafka();
    const own = createKafka({ clientId: "restart-test", brokers: broker.brokers, logger });
    const ownAdmin = own.admin();
    await ownAdmin.connect();
    const ownProducer = own.producer();
    await ownProducer.connect();
    const prefix = `${uniqueName("t")}.`;
    await ensureTopics(ownAdmin, [UserEvents], { prefix, partitions: 2, replicationFactor: 1 });
    const seen: string[] = [];
    const consumer = await startConsumer({
      kafka: own,
      groupId: uniqueName("g"),
      prefix,
      producer: ownProducer,
      logger,
      subscriptions: [subscription(UserEvents, async (event) => void seen.push(event.id))],
    });
    try {
      const before = registered("before");
      await createPublisher(ownProducer, prefix).publish(UserEvents, [before]);
      await eventually(() => seen.length === 1, { what: "the event before the outage" });
      await broker.stop();
      await eventually(() => !consumer.healthy(), { timeoutMs: 60_000, what: "the consumer to notice" });
      await broker.start();
      const after = registered("after");
      await eventually(
        async () => {
          await createPublisher(ownProducer, prefix).publish(UserEvents, [after]);
          return true;
        },
        { timeoutMs: 60_000, what: "publishing after the restart" },
      );
      await eventually(() => seen.includes(after.id), { timeoutMs: 60_000, what: "the event after the outage" });
      expect(consumer.healthy()).toBe(true);
    } finally {
      await consumer.stop();
      await ownProducer.disconnect();
      await ownAdmin.disconnect();
    }
  }, 180_000);
});

describe("a consumer stopped while it joins its group", () => {
  test("stops without logging an error or a restart", async () => {
    const { prefix } = await freshTopics();
    const groupId = uniqueName("g");
    const subscriptions = [subscription(UserEvents, async () => {})];
    await broker.consume({ prefix, groupId, subscriptions });
    await eventually(
      async () => {
        const { groups } = await admin.describeGroups([groupId]);
        return groups[0]?.state === "Stable" && groups[0].members.length === 1;
      },
      { what: "the first member in the group" },
    );
    const lines: { level: number; msg: string }[] = [];
    const logger = pino({ level: "info" }, { write: (line: string) => lines.push(JSON.parse(line)) });
    // The second member's join makes the group rebalance, which waits for the first: it is stopped meanwhile.
    const second = await startConsumer({ kafka, groupId, prefix, producer, logger, subscriptions });
    // The stop returns once the join it cut short has failed: whatever the consumer reports, it has by now.
    await second.stop();
    expect(lines.filter((line) => line.level >= 50)).toEqual([]);
    expect(lines.map((line) => line.msg)).not.toContainEqual(expect.stringContaining("starting a new one"));
  });
});

describe("createPublisher", () => {
  test("parks a value that breaks its contract on the dead-letter topic, with the reason", async () => {
    const { prefix, topic } = await freshTopics();
    await createPublisher(producer, prefix).deadLetter(UserEvents, { id: "broken" }, "data.userId: required");
    const [dead] = await readTopic(kafka, deadLetterTopic(topic), 1);
    expect(JSON.parse(dead?.value?.toString() ?? "null")).toEqual({ id: "broken" });
    expect(dead?.headers?.["dlq-reason"]?.toString()).toBe("invalid-event");
    expect(dead?.headers?.["dlq-error"]?.toString()).toBe("data.userId: required");
  });

  test("refuses an invalid event before it reaches the broker", async () => {
    const sent: unknown[] = [];
    const fakeProducer = { send: async (record: unknown) => void sent.push(record) } as unknown as Producer;
    const invalid = { ...registered("x"), data: { userId: "u1", name: "", email: "bad" } };
    const publish = createPublisher(fakeProducer, "").publish(UserEvents, [invalid as unknown as UserEvent]);
    await expect(publish).rejects.toThrow("refusing to publish an invalid user-events event");
    expect(sent).toEqual([]);
  });
});
