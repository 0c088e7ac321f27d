import { describe, expect, test } from "bun:test";
import { createEvent, deadLetterTopic, type TopicEvent, UserEvents, UserRegistered } from "@chirp/contracts";
import { eventually, readTopic, uniqueName } from "../testing.ts";
import { type ConsumerOptions, consumerCheck, startConsumer, subscription } from "./consumer.ts";
import { useTestBroker } from "./test-broker.ts";

const broker = useTestBroker("isolation-test");
const { kafka, producer, logger } = broker;
type UserEvent = TopicEvent<typeof UserEvents>;

const registered = (name: string) =>
  createEvent(UserRegistered, { userId: uniqueName("u"), name, email: `${name}@example.com` }, { source: "auth" });

async function send(topic: string, partition: number, values: (UserEvent | string)[]) {
  const messages = values.map((value) => ({
    partition,
    value: typeof value === "string" ? value : JSON.stringify(value),
  }));
  await producer.send({ topic, acks: -1, messages });
}

async function consume(
  prefix: string,
  handle: (event: UserEvent) => Promise<void>,
  options: Partial<ConsumerOptions> = {},
) {
  const consumer = await startConsumer({
    kafka,
    groupId: uniqueName("g"),
    prefix,
    producer,
    logger,
    subscriptions: [
      subscription(UserEvents, handle, {
        handleBatch: async (events) => {
          for (const event of events) await handle(event);
        },
      }),
    ],
    ...options,
  });
  broker.track(consumer);
  return consumer;
}

describe("a failing partition is retried on its own", () => {
  test("an event that keeps failing holds back no other partition, and the consumer reports it stalled", async () => {
    const { prefix, topic } = await broker.freshTopics([UserEvents], 2);
    const poison = registered("poison");
    const attempts: string[] = [];
    const applied: string[] = [];
    const consumer = await consume(
      prefix,
      async (event) => {
        if (event.id === poison.id) {
          attempts.push(event.id);
          throw new Error("keeps failing");
        }
        applied.push(event.id);
      },
      // Backoffs of a second and attempts enough to last the test: the poison is still being retried at its end.
      { concurrency: 1, retry: { attempts: 1000, initialDelayMs: 1000, maxDelayMs: 1000 } },
    );
    await send(topic, 0, [poison]);
    await eventually(() => attempts.length >= 1, { what: "the first attempt at the poison event" });

    // Published while partition 0 is failing: reached only if that partition's retries hold back no fetch.
    const others = [registered("a"), registered("b")];
    await send(topic, 1, others);
    await eventually(() => applied.length === 2, { what: "partition 1's events" });
    expect(applied).toEqual(others.map((event) => event.id));

    await eventually(() => attempts.length >= 3, { what: "the poison event retried after its backoffs" });
    expect(consumer.stalled(60_000)).toEqual([]);
    expect(consumer.stalled(0)).toEqual([`${topic}|0`]);
    // Readiness: failing now, though not for long enough to count as stalled.
    await consumerCheck(consumer, 60_000)();
    await expect(consumerCheck(consumer, 1)()).rejects.toThrow(`no progress for over 1 ms on ${topic}|0`);
  });

  test("an error recognised as permanent dead-letters its event at the first failure", async () => {
    const { prefix, topic } = await broker.freshTopics([UserEvents], 1);
    const [poison, next] = [registered("nul"), registered("next")];
    let tries = 0;
    const applied: string[] = [];
    const consumer = await consume(
      prefix,
      async (event) => {
        if (event.id !== poison.id) return void applied.push(event.id);
        tries++;
        throw Object.assign(new Error("invalid byte sequence"), { code: "22021" });
      },
      {
        retry: { attempts: 1000, initialDelayMs: 1000, maxDelayMs: 1000 },
        permanent: (error) => (error as { code?: string }).code === "22021",
      },
    );
    await send(topic, 0, [poison, next]);
    const [dead] = await readTopic(kafka, deadLetterTopic(topic), 1);
    expect(JSON.parse(dead?.value?.toString() ?? "null")).toEqual(poison);
    await eventually(() => applied.length === 1, { what: "the event behind it" });
    // The chunk failed once, then its poison event once on its own: no backoff of a second in between.
    expect({ tries, applied, stalled: consumer.stalled(0) }).toEqual({ tries: 2, applied: [next.id], stalled: [] });
  });

  test("a malformed message in a chunk that is retried is dead-lettered once", async () => {
    const { prefix, topic } = await broker.freshTopics([UserEvents], 1);
    const [first, last] = [registered("first"), registered("last")];
    let calls = 0;
    const applied: string[] = [];
    await consume(
      prefix,
      async (event) => {
        if (calls++ < 2) throw new Error("blinked");
        applied.push(event.id);
      },
      { retry: { attempts: 5, initialDelayMs: 20, maxDelayMs: 40 } },
    );
    await send(topic, 0, [first, "{not json", last]);
    await eventually(() => applied.length === 2, { what: "both events, after two failed attempts" });
    // Each fetch parses the chunk before applying it: every copy sent was on the topic before the last apply.
    const offsets = await broker.admin.fetchTopicOffsets(deadLetterTopic(topic));
    expect({ calls, deadLettered: offsets.reduce((sum, p) => sum + Number(p.high), 0) }).toEqual({
      calls: 4,
      deadLettered: 1,
    });
  });
});
