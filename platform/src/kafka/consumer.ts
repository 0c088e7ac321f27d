import { deadLetterTopic, parseEvent, type TopicDefinition, type TopicEvent } from "@chirp/contracts";
import type { Consumer, EachMessagePayload, IHeaders, Kafka, Producer } from "kafkajs";
import type { Logger } from "../logger.ts";
import { physicalName } from "./topics.ts";

/** Where a message came from, for handlers that log or record it. */
export interface MessageMeta {
  topic: string;
  partition: number;
  offset: string;
}

/** A plain function that applies one parsed event; throwing means "try again later". */
export type EventHandler<T extends TopicDefinition> = (event: TopicEvent<T>, meta: MessageMeta) => Promise<void>;

/** Binds a topic to its handler; `subscription(topic, handler)` keeps the two types in step. */
export interface Subscription {
  topic: TopicDefinition;
  handle: EventHandler<TopicDefinition>;
}

export function subscription<T extends TopicDefinition>(topic: T, handle: EventHandler<T>): Subscription {
  return { topic, handle: handle as EventHandler<TopicDefinition> };
}

export interface RetryPolicy {
  /** Attempts before the message goes to the dead-letter topic (the first try included). */
  attempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
}

export interface ConsumerOptions {
  kafka: Kafka;
  groupId: string;
  prefix: string;
  subscriptions: Subscription[];
  /** Sends poison messages to `<topic>.dlq`. */
  producer: Producer;
  logger: Logger;
  retry?: RetryPolicy;
  /** Partitions handled at once; order within a partition (so per key) is always kept. */
  concurrency?: number;
  fromBeginning?: boolean;
}

export interface RunningConsumer {
  /** False once the consumer has crashed for good or been stopped. */
  healthy(): boolean;
  /** Finishes the message in hand, commits offsets, leaves the group. */
  stop(): Promise<void>;
}

const defaultRetry: RetryPolicy = { attempts: 5, initialDelayMs: 100, maxDelayMs: 5000 };

/**
 * Consumes topics with per-message validation, retries with exponential backoff, and a dead-letter topic
 * for messages that are invalid or keep failing. An offset is committed only after its message was
 * handled or dead-lettered, so nothing is lost; handlers must be idempotent, since a crash redelivers.
 */
export async function startConsumer(options: ConsumerOptions): Promise<RunningConsumer> {
  const { kafka, groupId, prefix, producer, logger } = options;
  const retry = options.retry ?? defaultRetry;
  const byTopic = new Map(options.subscriptions.map((sub) => [physicalName(prefix, sub.topic), sub]));
  const consumer: Consumer = kafka.consumer({ groupId, maxWaitTimeInMs: 100, retry: { retries: 10 } });
  let stopping = false;
  let crashed = false;
  consumer.on(consumer.events.CRASH, ({ payload }) => {
    logger.error({ err: payload.error, groupId, restart: payload.restart }, "consumer crashed");
    if (!payload.restart) crashed = true;
  });

  async function deadLetter(payload: EachMessagePayload, reason: string, error: string) {
    const { topic, partition, message } = payload;
    const headers: IHeaders = {
      ...message.headers,
      "dlq-reason": reason,
      "dlq-error": error.slice(0, 4000),
      "dlq-topic": topic,
      "dlq-partition": String(partition),
      "dlq-offset": message.offset,
      "dlq-consumer-group": groupId,
      "dlq-at": new Date().toISOString(),
    };
    await producer.send({
      topic: deadLetterTopic(topic),
      acks: -1,
      messages: [{ key: message.key, value: message.value, headers }],
    });
    logger.warn({ topic, partition, offset: message.offset, reason, error }, "message sent to dead-letter topic");
  }

  async function eachMessage(payload: EachMessagePayload) {
    const { topic, partition, message } = payload;
    const sub = byTopic.get(topic);
    if (!sub) return;
    const parsed = parseEvent(sub.topic, message.value ?? "");
    if (!parsed.ok) return deadLetter(payload, parsed.reason, parsed.message);
    const meta = { topic, partition, offset: message.offset };
    for (let attempt = 1; ; attempt++) {
      try {
        return await sub.handle(parsed.event, meta);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        if (attempt >= retry.attempts) return deadLetter(payload, "handler-failed", reason);
        logger.warn({ ...meta, eventId: parsed.event.id, attempt, err: error }, "handler failed; retrying");
        // Leaving the message unresolved on shutdown means it is redelivered, never skipped.
        if (stopping) throw new Error("consumer stopping; message left for redelivery");
        await backoff(retry, attempt, payload.heartbeat);
      }
    }
  }

  await consumer.connect();
  for (const name of byTopic.keys()) {
    await consumer.subscribe({ topic: name, fromBeginning: options.fromBeginning ?? true });
  }
  await consumer.run({ partitionsConsumedConcurrently: options.concurrency ?? 1, eachMessage });
  return {
    healthy: () => !crashed && !stopping,
    async stop() {
      stopping = true;
      await consumer.disconnect();
    },
  };
}

async function backoff(retry: RetryPolicy, attempt: number, heartbeat: () => Promise<void>) {
  const ceiling = Math.min(retry.maxDelayMs, retry.initialDelayMs * 2 ** (attempt - 1));
  const delay = ceiling / 2 + Math.random() * (ceiling / 2);
  await Bun.sleep(delay);
  await heartbeat();
}
