import { parseEvent, type TopicDefinition, type TopicEvent, Topics } from "@chirp/contracts";
import type { EventPublisher } from "./kafka/publisher.ts";
import type { Logger } from "./logger.ts";
import { inSpan, linkTo, SpanKind } from "./tracing/spans.ts";

/** An event waiting in a service's outbox, with the name of its topic. */
export interface OutboxEntry {
  topic: string;
  event: TopicEvent<TopicDefinition>;
  /** The trace of the write that recorded it, sent on as the message's `traceparent` header. */
  traceparent?: string;
}

/**
 * A service's outbox. `drain` hands the oldest unsent entries (at most `limit`, in the order they were
 * written) to `send` and marks them sent only if `send` resolves; it returns how many it handed over.
 * Implementations keep one drainer at a time across instances, so order per key survives.
 */
export interface OutboxStore {
  drain(limit: number, send: (entries: OutboxEntry[]) => Promise<void>): Promise<number>;
}

export interface OutboxRelayOptions {
  store: OutboxStore;
  publisher: EventPublisher;
  logger: Logger;
  batchSize?: number;
  /** Longest sleep between two looks at an idle outbox (a safety net for missed wake-ups). */
  idleMs?: number;
  maxBackoffMs?: number;
}

export interface OutboxRelay {
  /** Looks at the outbox now (call after committing an entry, or on a database notification). */
  wake(): void;
  /** Unhealthy while the last attempt to publish failed. */
  healthy(): boolean;
  /** Publishes everything pending (bounded by `timeoutMs`), then stops the loop. */
  stop(timeoutMs?: number): Promise<void>;
}

const topicsByName = new Map<string, TopicDefinition>(Topics.map((topic) => [topic.name, topic]));

/**
 * Publishes a batch of entries, grouped by topic in their order. An entry whose event breaks its contract
 * can never be published; it goes to the topic's dead-letter twin instead, so it neither blocks the
 * outbox forever nor disappears.
 */
export async function publishEntries(publisher: EventPublisher, entries: OutboxEntry[], logger?: Logger) {
  let start = 0;
  while (start < entries.length) {
    const topicName = entries[start]?.topic;
    let end = start;
    while (end < entries.length && entries[end]?.topic === topicName) end++;
    const topic = topicName ? topicsByName.get(topicName) : undefined;
    if (!topic) throw new Error(`outbox entry names an unknown topic "${topicName}"`);
    const valid: OutboxEntry["event"][] = [];
    const traceparents: (string | undefined)[] = [];
    for (const entry of entries.slice(start, end)) {
      const checked = parseEvent(topic, entry.event);
      if (checked.ok) {
        valid.push(checked.event);
        traceparents.push(entry.traceparent);
        continue;
      }
      // Keep order: what came before the bad entry is published before it is parked.
      await publisher.publish(topic, valid.splice(0), traceparents.splice(0));
      await publisher.deadLetter(topic, entry.event, checked.message);
      logger?.error(
        { topic: topic.name, error: checked.message },
        "invalid outbox entry sent to the dead-letter topic",
      );
    }
    await publisher.publish(topic, valid, traceparents);
    start = end;
  }
}

/**
 * Moves outbox entries to Kafka: promptly when woken, periodically otherwise, with backoff while Kafka is
 * unreachable. An entry is marked sent only after the brokers acknowledged it (at-least-once).
 */
export function startOutboxRelay(options: OutboxRelayOptions): OutboxRelay {
  const { store, publisher, logger } = options;
  const batchSize = options.batchSize ?? 200;
  const idleMs = options.idleMs ?? 1000;
  const maxBackoffMs = options.maxBackoffMs ?? 5000;
  let running = true;
  let failures = 0;
  let pendingWake = false;
  let wakeUp: (() => void) | undefined;

  // One span per batch sent, linked to the traces whose writes it carries (each message continues its own).
  const send = (entries: OutboxEntry[]) =>
    inSpan(
      "outbox publish",
      {
        kind: SpanKind.PRODUCER,
        attributes: { "messaging.batch.message_count": entries.length },
        links: entries.flatMap((entry) => linkTo(entry.traceparent) ?? []),
      },
      () => publishEntries(publisher, entries, logger),
    );

  function sleep(ms: number) {
    return new Promise<void>((resolve) => {
      if (!running) return resolve();
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        wakeUp = undefined;
        resolve();
      }
      wakeUp = done;
    });
  }

  async function loop() {
    while (running) {
      pendingWake = false;
      try {
        const sent = await store.drain(batchSize, send);
        if (failures > 0) logger.info({ after: failures }, "outbox relay recovered");
        failures = 0;
        if (sent === batchSize || pendingWake) continue;
        await sleep(idleMs);
      } catch (error) {
        failures++;
        const delay = Math.min(maxBackoffMs, 100 * 2 ** Math.min(failures, 10));
        logger.warn({ err: error, failures, retryInMs: delay }, "outbox relay could not publish");
        await sleep(delay);
      }
    }
  }

  const finished = loop();
  return {
    wake() {
      pendingWake = true;
      if (failures === 0) wakeUp?.();
    },
    healthy: () => failures < 3,
    async stop(timeoutMs = 5000) {
      running = false;
      wakeUp?.();
      await finished;
      const deadline = Date.now() + timeoutMs;
      while (Date.now() < deadline) {
        try {
          if ((await store.drain(batchSize, send)) < batchSize) return;
        } catch (error) {
          logger.warn({ err: error }, "outbox not flushed at shutdown; entries stay for the next start");
          return;
        }
      }
    },
  };
}
