import type { Consumer, Kafka, Producer } from "kafkajs";
import type { Logger } from "../logger.ts";
import { outcome } from "../readiness.ts";
import { consumeBatch } from "./consume-batch.ts";
import { createDeadLetter } from "./dead-letter.ts";
import { type OffsetCommits, offsetCommits } from "./offset-commits.ts";
import { defaultRetry, PartitionRetries, type RetryPolicy } from "./retry.ts";
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
  /**
   * Recognises an error no retry can fix (e.g. a value the database refuses): its event is dead-lettered at
   * once instead of after every backoff.
   */
  permanent?: (error: unknown) => boolean;
  /** Where the consumer's counters go (dead-lettered messages, retries, stalled partitions). */
  metrics?: ConsumerMetrics;
}

/** What a consumer reports as it goes; `consumerMetrics` records it in a Prometheus registry. */
export interface ConsumerMetrics {
  deadLettered(topic: string, reason: string): void;
  retried(topic: string): void;
}

export interface RunningConsumer {
  /** The physical names of the topics it consumes (for lag metrics). */
  topics: readonly string[];
  /** False once the consumer has crashed for good or been stopped. */
  healthy(): boolean;
  /**
   * Partitions whose events have kept failing for longer than `ms` (retried, or waiting out an outage),
   * as `topic|partition`: they apply nothing meanwhile, though the others go on.
   */
  stalled(ms: number): string[];
  /** Finishes the chunk in hand, commits offsets, leaves the group. */
  stop(): Promise<void>;
}

/** How long a stop waits for a group join that it cut short to fail (kafkajs's session timeout here). */
const joinSettleMs = 10_000;

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
  const { metrics } = options;
  const sendToDeadLetter = createDeadLetter(producer, groupId, logger);
  const context = {
    deadLetter: async (...args: Parameters<typeof sendToDeadLetter>) => {
      await sendToDeadLetter(...args);
      metrics?.deadLettered(args[0].topic, args[1]);
    },
    logger,
    later(resume: () => void, ms: number) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        resume();
      }, ms);
      timers.add(timer);
    },
    retried: (topic: string) => metrics?.retried(topic),
  };
  const newRetries = () =>
    new PartitionRetries(options.retry ?? defaultRetry, probe(options.dependencies), options.permanent);
  const timers = new Set<Timer>();
  let stopping = false;
  let consumer: Consumer | undefined;
  let commits: OffsetCommits | undefined;
  let retries: PartitionRetries | undefined;
  let relaunching: Promise<void> | undefined;
  let joining: Promise<unknown> | undefined;

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
    const nextRetries = newRetries();
    // After a rebalance a partition this member was retrying may be another's: what it failed on is forgotten.
    next.on(next.events.GROUP_JOIN, () => nextRetries.forget());
    await next.connect();
    for (const name of byTopic.keys()) {
      await next.subscribe({ topic: name, fromBeginning: options.fromBeginning ?? true });
    }
    const nextCommits = offsetCommits(logger, groupId);
    const batchContext = { ...context, commits: nextCommits, retries: nextRetries };
    consumer = next;
    commits = nextCommits;
    retries = nextRetries;
    // Not awaited: joining the group (a rebalance when other members exist) takes up to seconds, and the
    // service can serve meanwhile; its messages wait in Kafka. `stop` awaits it, so that nothing of this
    // consumer is reported after the stop returns.
    joining = next
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
        cancelResumes();
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

  /** Paused partitions waiting out a backoff stay paused: their consumer is going away. */
  function cancelResumes() {
    for (const timer of timers) clearTimeout(timer);
    timers.clear();
  }

  await launch();
  return {
    topics: [...byTopic.keys()],
    healthy: () => !stopping && relaunching === undefined,
    stalled: (ms) => retries?.stalled(ms) ?? [],
    async stop() {
      stopping = true;
      await relaunching;
      cancelResumes();
      // What finished before the stop; batches still in hand flush their own before returning.
      await commits?.flush();
      await consumer?.disconnect();
      // A join cut short by the disconnect fails now; bounded, should kafkajs leave it hanging.
      let timer: Timer | undefined;
      const bound = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, joinSettleMs);
      });
      // The bound's timer is cleared once the join settled: a pending one would hold the process 10 s more.
      await Promise.race([joining, bound]).finally(() => clearTimeout(timer));
    },
  };
}

/** Turns a dependency check into a yes/no answer, bounded in time so a hung store counts as down. */
function probe(check: (() => Promise<unknown>) | undefined) {
  if (!check) return async () => true;
  return async () => (await outcome(check, 2000)) === "ok";
}

/**
 * A readiness check of a consumer: it fails while the consumer is being replaced (after a crash or a broker
 * outage) and while a partition has kept failing for longer than `stallMs`: either way events wait.
 */
export function consumerCheck(consumer: RunningConsumer, stallMs: number) {
  return async () => {
    if (!consumer.healthy()) throw new Error("the event consumers have stopped");
    const stalled = consumer.stalled(stallMs);
    if (stalled.length > 0) {
      throw new Error(`no progress for over ${stallMs} ms on ${stalled.join(", ")}: its next event keeps failing`);
    }
  };
}
