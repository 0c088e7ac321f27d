import { describe, expect, test } from "bun:test";
import { createEvent, PostCreated, type TopicDefinition, UserRegistered } from "@chirp/contracts";
import type { EventPublisher } from "./kafka/publisher.ts";
import { createLogger } from "./logger.ts";
import { type OutboxEntry, type OutboxStore, publishEntries, startOutboxRelay } from "./outbox-relay.ts";
import { eventually } from "./testing.ts";

const logger = createLogger("test", "silent");

const userEntry = (name: string): OutboxEntry => ({
  topic: "user-events",
  event: createEvent(UserRegistered, { userId: name, name, email: `${name}@example.com` }, { source: "auth" }),
});
const postEntry = (id: string): OutboxEntry => ({
  topic: "post-events",
  event: createEvent(PostCreated, { postId: id, authorId: "u1", title: "t" }, { source: "post" }),
});

/** An in-memory outbox with the store contract: entries leave only when `send` resolved. */
function memoryStore(entries: OutboxEntry[] = []) {
  const pending = [...entries];
  const store: OutboxStore & { pending: OutboxEntry[]; add(entry: OutboxEntry): void } = {
    pending,
    add: (entry) => pending.push(entry),
    async drain(limit, send) {
      const batch = pending.slice(0, limit);
      if (batch.length === 0) return 0;
      await send(batch);
      pending.splice(0, batch.length);
      return batch.length;
    },
  };
  return store;
}

/** Records what was published; `failing` makes every publish throw, as with Kafka down. */
function recordingPublisher() {
  const sent: { topic: string; ids: string[] }[] = [];
  const parked: { topic: string; value: unknown; reason: string }[] = [];
  const publisher: EventPublisher & { failing: boolean; sent: typeof sent; parked: typeof parked } = {
    failing: false,
    sent,
    parked,
    async publish(topic: TopicDefinition, events) {
      if (publisher.failing) throw new Error("broker unreachable");
      if (events.length > 0) sent.push({ topic: topic.name, ids: events.map((event) => event.id) });
    },
    async deadLetter(topic, value, reason) {
      if (publisher.failing) throw new Error("broker unreachable");
      parked.push({ topic: topic.name, value, reason });
    },
  };
  return publisher;
}

describe("publishEntries", () => {
  test("publishes runs of the same topic together, keeping the order", async () => {
    const publisher = recordingPublisher();
    const entries = [userEntry("a"), userEntry("b"), postEntry("p1"), userEntry("c")];
    await publishEntries(publisher, entries);
    const [a, b, p1, c] = entries.map((entry) => entry.event.id);
    expect(publisher.sent).toEqual([
      { topic: "user-events", ids: [a, b] },
      { topic: "post-events", ids: [p1] },
      { topic: "user-events", ids: [c] },
    ] as typeof publisher.sent);
  });

  test("parks an entry that breaks its contract on the dead-letter topic, in order, and publishes the rest", async () => {
    const publisher = recordingPublisher();
    const bad = userEntry("b");
    const broken = { ...bad.event, data: { ...(bad.event.data as object), userId: null } };
    const entries = [userEntry("a"), { ...bad, event: broken as unknown as OutboxEntry["event"] }, userEntry("c")];
    await publishEntries(publisher, entries);
    const [a, , c] = entries.map((entry) => entry.event.id);
    expect(publisher.sent).toEqual([
      { topic: "user-events", ids: [a] },
      { topic: "user-events", ids: [c] },
    ] as typeof publisher.sent);
    expect(publisher.parked).toEqual([
      { topic: "user-events", value: broken, reason: expect.stringContaining("userId") },
    ]);
  });

  test("a relay is not blocked by an invalid entry", async () => {
    const broken = { ...userEntry("x"), event: { id: "not-an-event" } as unknown as OutboxEntry["event"] };
    const store = memoryStore([broken, userEntry("y")]);
    const publisher = recordingPublisher();
    const relay = startOutboxRelay({ store, publisher, logger, idleMs: 60_000 });
    await eventually(() => store.pending.length === 0, { timeoutMs: 2000 });
    await relay.stop();
    expect(publisher.parked).toHaveLength(1);
    expect(publisher.sent.flatMap((batch) => batch.ids)).toHaveLength(1);
  });

  test("refuses an entry for a topic that does not exist", async () => {
    const entry = { ...userEntry("a"), topic: "nope" };
    await expect(publishEntries(recordingPublisher(), [entry])).rejects.toThrow('unknown topic "nope"');
  });
});

describe("startOutboxRelay", () => {
  test("publishes what is already waiting, then what arrives when woken", async () => {
    const store = memoryStore([userEntry("a")]);
    const publisher = recordingPublisher();
    // A long idle period: only wake() can explain a prompt delivery of the second entry.
    const relay = startOutboxRelay({ store, publisher, logger, idleMs: 60_000 });
    await eventually(() => publisher.sent.length === 1);
    store.add(userEntry("b"));
    relay.wake();
    await eventually(() => publisher.sent.length === 2, { timeoutMs: 2000 });
    await relay.stop();
    expect(store.pending).toEqual([]);
  });

  test("keeps entries while publishing fails, reports unhealthy, and delivers them once it recovers", async () => {
    const store = memoryStore([userEntry("a"), userEntry("b")]);
    const publisher = recordingPublisher();
    publisher.failing = true;
    const relay = startOutboxRelay({ store, publisher, logger, idleMs: 20, maxBackoffMs: 20 });
    await eventually(() => !relay.healthy(), { what: "the relay to report failure" });
    expect(store.pending).toHaveLength(2);
    publisher.failing = false;
    await eventually(() => store.pending.length === 0 && relay.healthy(), { what: "recovery" });
    expect(publisher.sent.flatMap((batch) => batch.ids)).toHaveLength(2);
    await relay.stop();
  });

  test("on stop, flushes entries written after the last drain", async () => {
    const store = memoryStore();
    const publisher = recordingPublisher();
    const relay = startOutboxRelay({ store, publisher, logger, idleMs: 60_000 });
    store.add(postEntry("p1"));
    await relay.stop();
    expect(publisher.sent).toHaveLength(1);
    expect(store.pending).toEqual([]);
  });

  test("drains a backlog larger than one batch without waiting between batches", async () => {
    const store = memoryStore(Array.from({ length: 25 }, (_, i) => userEntry(`u${i}`)));
    const publisher = recordingPublisher();
    const relay = startOutboxRelay({ store, publisher, logger, batchSize: 10, idleMs: 60_000 });
    await eventually(() => store.pending.length === 0, { timeoutMs: 2000 });
    expect(publisher.sent.map((batch) => batch.ids.length)).toEqual([10, 10, 5]);
    await relay.stop();
  });
});
