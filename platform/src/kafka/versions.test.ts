import { describe, expect, test } from "bun:test";
import {
  createEvent,
  createTwinEvent,
  deadLetterTopic,
  defineEvent,
  defineTopic,
  Id,
  UserDeleted,
  UserEvents,
  UserRegistered,
  UserUpdated,
} from "@chirp/contracts";
import { z } from "zod";
import { eventually, readTopic, uniqueName } from "../testing.ts";
import { startConsumer, subscription } from "./consumer.ts";
import { createPublisher } from "./publisher.ts";
import { useTestBroker } from "./test-broker.ts";

const broker = useTestBroker("versions-test");
const { kafka, admin, producer, logger } = broker;

// An example migration, kept in the test so the real contract does not change: the display name is split.
const UserRegisteredV2 = defineEvent(
  "user.registered",
  2,
  z.object({ userId: Id, firstName: z.string().min(1).max(100), lastName: z.string().max(100), email: z.email() }),
);
const MigratingUserEvents = defineTopic({
  name: UserEvents.name,
  events: [UserRegistered, UserRegisteredV2, UserUpdated, UserDeleted],
  key: (event) => event.data.userId,
});

/** A fresh prefix per test, so no test sees another's messages. */
const freshTopics = () => broker.freshTopics();

describe("event versions through the real broker", () => {
  test("a newer version the consumer does not know is dead-lettered as unknown-version, and consumption goes on", async () => {
    const { prefix, topic } = await freshTopics();
    const handled: string[] = [];
    const consumer = await startConsumer({
      kafka,
      groupId: uniqueName("g"),
      prefix,
      producer,
      logger,
      subscriptions: [subscription(UserEvents, async (event) => void handled.push(`${event.type}.v${event.version}`))],
    });
    broker.track(consumer);
    const v1 = createEvent(UserRegistered, { userId: "u1", name: "Ada", email: "ada@example.com" }, { source: "auth" });
    // Raw, as a producer that is a version ahead would send it; the same key puts it in front of the v1 event.
    const v2 = { ...v1, id: crypto.randomUUID(), version: 2, data: { userId: "u1", firstName: "Ada", lastName: "" } };
    await producer.send({ topic, messages: [{ key: "u1", value: JSON.stringify(v2) }] });
    await createPublisher(producer, prefix).publish(UserEvents, [v1]);

    await eventually(() => handled.length === 1, { what: "the v1 event after the v2 one" });
    expect(handled).toEqual(["user.registered.v1"]);
    expect(consumer.healthy()).toBe(true);
    const [dead] = await readTopic(kafka, deadLetterTopic(topic), 1);
    expect(JSON.parse(dead?.value?.toString() ?? "null")).toEqual(v2);
    expect(dead?.headers?.["dlq-reason"]?.toString()).toBe("unknown-version");
    expect(dead?.headers?.["dlq-error"]?.toString()).toBe("user.registered version 2 is not known here (known: 1)");
  });

  test("during a migration the producer publishes v1 and v2 of one change; each consumer applies it once", async () => {
    const { prefix, topic } = await freshTopics();
    // A consumer that was upgraded: it reads both versions and deduplicates on the event id, as all ours do.
    const seen = new Set<string>();
    const received: number[] = [];
    const upgraded: { version: number; displayName: string }[] = [];
    const legacy: string[] = [];
    broker.track(
      await startConsumer({
        kafka,
        groupId: uniqueName("upgraded"),
        prefix,
        producer,
        logger,
        subscriptions: [
          subscription(MigratingUserEvents, async (event) => {
            if (event.type !== "user.registered") return;
            received.push(event.version);
            if (seen.has(event.id)) return;
            seen.add(event.id);
            const displayName =
              event.version === 2 ? `${event.data.firstName} ${event.data.lastName}`.trim() : event.data.name;
            upgraded.push({ version: event.version, displayName });
          }),
        ],
      }),
      // A consumer not upgraded yet: it knows only v1.
      await startConsumer({
        kafka,
        groupId: uniqueName("legacy"),
        prefix,
        producer,
        logger,
        subscriptions: [subscription(UserEvents, async (event) => void legacy.push(`${event.type}.v${event.version}`))],
      }),
    );

    const v1 = createEvent(
      UserRegistered,
      { userId: "u2", name: "Grace Hopper", email: "grace@example.com" },
      { source: "auth" },
    );
    const v2 = createTwinEvent(
      UserRegisteredV2,
      { userId: "u2", firstName: "Grace", lastName: "Hopper", email: "grace@example.com" },
      v1,
    );
    await createPublisher(producer, prefix).publish(MigratingUserEvents, [v1, v2]);

    const [dead] = await readTopic(kafka, deadLetterTopic(topic), 1);
    expect(dead?.headers?.["dlq-reason"]?.toString()).toBe("unknown-version");
    expect(dead?.headers?.["dlq-consumer-group"]?.toString()).toStartWith("legacy");
    await eventually(() => received.length === 2 && legacy.length === 1, { what: "both consumers" });
    expect({ received, upgraded, legacy }).toEqual({
      received: [1, 2],
      upgraded: [{ version: 1, displayName: "Grace Hopper" }],
      legacy: ["user.registered.v1"],
    });
    // The upgraded consumer read the twin and skipped it: only the legacy consumer dead-lettered anything.
    const offsets = await admin.fetchTopicOffsets(deadLetterTopic(topic));
    expect(offsets.reduce((sum, partition) => sum + Number(partition.high), 0)).toBe(1);
  });
});
