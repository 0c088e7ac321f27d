import type { Consumer, Kafka, Producer } from "kafkajs";
import type { Logger } from "../logger.ts";
import { outcome } from "../readiness.ts";
import { consumeBatch } from "./consume-batch.ts";
import { createDeadLetter } from "./dead-letter.ts";
import { type OffsetCommits, offsetCommits } from "./offset-commits.ts";
import { defaultRetry, type RetryPolicy } from "./retry.ts";
import type { Subscription } from "./subscription.ts";
import { physicalName } from "./topics.ts";

export type { RetryPolicy } from "./retry.ts";
export {
  type BatchHandler,
  type ChunkMeta,
  type EventHandler,
  type MessageMeta,
  type Subscription,
  subscription,
} from "./subscription.ts";

export interface FetchSettings {
  /**
   * Longest time the broker holds a fetch when fewer than `minBytes` are ready. With `minBytes` 1 it only
   * matters when idle; it also bounds how long a newly assigned partition waits for its first fetch.
   */
  maxWaitTimeInMs: number;
  minBytes: number;
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
  fetch?: Partial<FetchSettings>;
  fromBeginning?: boolean;
  /**
   * Probes the stores the handlers write to (e.g. a database ping). While it fails, failing events are
   * retried rather than dead-lettered: an outage is not a poison message.
   */
  dependencies?: () => Promise<unknown>;
}

export interface RunningConsumer {
  /** False once the consumer has crashed for good or been stopped. */
  healthy(): boolean;
  /** Finishes the chunk in hand, commits offsets, leaves the group. */
  stop(): Promise<void>;
}

// minBytes 1: the broker answers as soon as anything is there, so a lone event is not held back.
const defaultFetch: FetchSettings = { maxWaitTimeInMs: 100, minBytes: 1 };

/**
 * Consumes topics with per-message validation, retries with exponential backoff, and a dead-letter topic
 * for messages that are invalid or keep failing. Subscriptions with a batch handler get the valid events
 * of each fetched batch in chunks (one transaction for many events, rather than one each). An offset is
 * committed only after its message was handled or dead-lettered, so nothing is lost; handlers must be
 * idempotent, since a crash redelivers.
 */
export async function startConsumer(options: ConsumerOptions): Promise<RunningConsumer> {
  const { kafka, groupId, prefix, producer, logger } = options;
  const fetch = { ...defaultFetch, ...options.fetch };
  const byTopic = new Map(options.subscriptions.map((sub) => [physicalName(prefix, sub.topic), sub]));
  const context = {
    retry: options.retry ?? defaultRetry,
    deadLetter: createDeadLetter(producer, groupId, logger),
    logger,
    dependenciesUp: probe(options.dependencies),
  };
  let stopping = false;
  let consumer: Consumer | undefined;
  let commits: OffsetCommits | undefined;
  let relaunching: Promise<void> | undefined;

  /** A fresh kafkajs consumer, connected and subscribed; its run (the group join) goes on in the background. */
  async function launch() {
    // kafkajs may restart a crashed consumer twice at once (two crash paths, two timers), leaving two runners
    // in one member that never consume again. So it never restarts one itself: a crash leads to a new one.
    const next = kafka.consumer({
      groupId,
      ...fetch,
      // A member that vanished without leaving (a crash, a lost broker) holds its partitions until its session
      // expires, and a rejoining group waits for it: 10 s rather than kafkajs's 30 s. Chunks heartbeat often.
      sessionTimeout: 10_000,
      heartbeatInterval: 1_000,
      rebalanceTimeout: 20_000,
      retry: { retries: 10, restartOnFailure: async () => false },
    });
    // A consumer stopped while it joins its group fails its join, or crashes: that is the stop, not a fault.
    const failed = (error: unknown, what: string) => {
      if (stopping) return logger.debug({ err: error, groupId }, `${what} while stopping`);
      logger.error({ err: error, groupId }, `${what}; starting a new one`);
      if (consumer === next) relaunch();
    };
    next.on(next.events.CRASH, ({ payload }) => failed(payload.error, "consumer crashed"));
    await next.connect();
    for (const name of byTopic.keys()) {
      await next.subscribe({ topic: name, fromBeginning: options.fromBeginning ?? true });
    }
    const nextCommits = offsetCommits(logger, groupId);
    const batchContext = { ...context, commits: nextCommits };
    consumer = next;
    commits = nextCommits;
    // Not awaited: joining the group (a rebalance when other members exist) takes up to seconds, and the
    // service can serve meanwhile; its messages wait in Kafka.
    next
      .run({
        partitionsConsumedConcurrently: options.concurrency ?? 1,
        // Offsets are resolved by consumeBatch as chunks are applied; a stop mid-batch must not resolve the rest.
        eachBatchAutoResolve: false,
        // Committed by `offsetCommits`, beside the work: kafkajs would await a commit after every batch.
        autoCommit: false,
        eachBatch: async (payload) => {
          const sub = byTopic.get(payload.batch.topic);
          if (!sub) return;
          try {
            await consumeBatch(payload, sub, batchContext);
          } finally {
            // kafkajs leaves the group once the batches in hand return: their offsets must be committed by then.
            if (stopping) await nextCommits.flush();
          }
        },
      })
      .catch((error: unknown) => failed(error, "consumer could not join its group"));
  }

  /** Replaces the consumer, with backoff while Kafka stays unreachable; one replacement at a time. */
  function relaunch() {
    if (stopping || relaunching) return;
    relaunching = (async () => {
      for (let attempt = 1; !stopping; attempt++) {
        await consumer?.disconnect().catch(() => {});
        await Bun.sleep(Math.min(5000, 100 * 2 ** attempt));
        if (stopping) return;
        try {
          await launch();
          logger.info({ groupId, attempt }, "consumer started again");
          return;
        } catch (error) {
          logger.warn({ err: error, groupId, attempt }, "consumer could not start again; retrying");
        }
      }
    })().finally(() => {
      relaunching = undefined;
    });
  }

  await launch();
  return {
    healthy: () => !stopping && relaunching === undefined,
    async stop() {
      stopping = true;
      await relaunching;
      // What finished before the stop; batches still in hand flush their own before returning.
      await commits?.flush();
      await consumer?.disconnect();
    },
  };
}

/** Turns a dependency check into a yes/no answer, bounded in time so a hung store counts as down. */
function probe(check: (() => Promise<unknown>) | undefined) {
  if (!check) return async () => true;
  return async () => (await outcome(check, 2000)) === "ok";
}
