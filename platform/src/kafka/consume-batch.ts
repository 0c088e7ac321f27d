import { parseEvent, type TopicDefinition, type TopicEvent } from "@chirp/contracts";
import type { EachBatchPayload, KafkaMessage } from "kafkajs";
import type { Logger } from "../logger.ts";
import { inConsumeSpan } from "../tracing/kafka.ts";
import type { DeadLetter } from "./dead-letter.ts";
import type { OffsetCommits } from "./offset-commits.ts";
import { errorMessage, type PartitionRetries } from "./retry.ts";
import type { Subscription } from "./subscription.ts";

export interface BatchContext {
  retries: PartitionRetries;
  deadLetter: DeadLetter;
  logger: Logger;
  commits: OffsetCommits;
  /** Runs `resume` after `ms`, unless the consumer stops first. */
  later(resume: () => void, ms: number): void;
  /** Counts a retry of `topic` (for metrics). */
  retried(topic: string): void;
}

interface Parsed {
  message: KafkaMessage;
  event: TopicEvent<TopicDefinition>;
}

/**
 * Consumes one fetched batch (one partition, offset order) for `sub`, chunk by chunk: a chunk is the next
 * `maxEvents` messages in batch mode, one message otherwise. Its invalid messages go to the dead-letter
 * topic, its valid events are applied, and only then are its offsets resolved and their commit requested (it
 * goes on beside the next chunk), so a crash redelivers the chunk (handlers are idempotent) and never skips
 * it. When the consumer stops or loses the partition, the rest of the batch is left unresolved for whoever
 * consumes the partition next.
 *
 * A failure pauses this partition alone for its backoff and leaves the rest of the batch unresolved: the
 * partition is fetched again from the failed work once the backoff is over, while the other partitions go
 * on. A chunk that keeps failing is applied one event at a time, so only the event that keeps failing is
 * dead-lettered.
 */
export async function consumeBatch(payload: EachBatchPayload, sub: Subscription, ctx: BatchContext) {
  const { topic, partition, messages } = payload.batch;
  const key = `${topic}|${partition}`;
  const live = () => payload.isRunning() && !payload.isStale();

  /** Pauses the partition for the failed work's backoff; true if it was given up instead. */
  async function failed(offset: string, singly: boolean, error: unknown, log: object) {
    const verdict = await ctx.retries.failed(key, offset, singly, error);
    if (!verdict.retry) return true;
    ctx.retried(topic);
    ctx.logger.warn({ topic, partition, ...log, err: error, retryInMs: Math.round(verdict.delayMs) }, "retrying later");
    ctx.later(payload.pause(), verdict.delayMs);
    return false;
  }

  /** Applies valid events one by one; false when one failed and the partition was paused to retry it. */
  async function applySingly(valid: Parsed[]) {
    for (const { message, event } of valid) {
      if (!live()) return false;
      const meta = { topic, partition, offset: message.offset };
      try {
        await inConsumeSpan(sub.topic.name, [message], () => sub.handle(event, meta));
      } catch (error) {
        if (!(await failed(message.offset, true, error, { offset: message.offset, eventId: event.id }))) return false;
        await ctx.deadLetter({ topic, partition, message }, "handler-failed", errorMessage(error));
      }
      payload.resolveOffset(message.offset);
    }
    return true;
  }

  /** Applies a chunk's valid events: whole through the batch handler, else one by one. */
  async function apply(chunkStart: string, valid: Parsed[]) {
    const batch = sub.batch;
    // A single event takes the per-message path directly, so a failing one is not retried twice over.
    if (batch && valid.length > 1 && !ctx.retries.singly(key, chunkStart)) {
      const first = valid[0]?.message.offset ?? chunkStart;
      const meta = { topic, partition, firstOffset: first, lastOffset: valid.at(-1)?.message.offset ?? first };
      try {
        await inConsumeSpan(
          sub.topic.name,
          valid.map((item) => item.message),
          () =>
            batch.handle(
              valid.map((item) => item.event),
              meta,
            ),
        );
        return true;
      } catch (error) {
        if (!(await failed(chunkStart, false, error, { ...meta, events: valid.length }))) return false;
        // Most likely one poison event: one by one, only the event that keeps failing is dead-lettered.
        ctx.logger.warn({ ...meta, err: error }, "chunk keeps failing; applying its events one by one");
      }
    }
    return applySingly(valid);
  }

  const size = sub.batch?.maxEvents ?? 1;
  for (let start = 0; start < messages.length; start += size) {
    if (!live()) return;
    const chunk = messages.slice(start, start + size);
    const chunkStart = chunk[0]?.offset ?? "";
    const valid: Parsed[] = [];
    for (const message of chunk) {
      const parsed = parseEvent(sub.topic, message.value ?? "");
      if (parsed.ok) valid.push({ message, event: parsed.event });
      else if (ctx.retries.park(key, message.offset)) {
        await ctx.deadLetter({ topic, partition, message }, parsed.reason, parsed.message);
      }
    }
    if (!(await apply(chunkStart, valid))) {
      // What was applied one by one before the failure is resolved: commit it with the rest.
      ctx.commits.request(payload);
      return;
    }
    ctx.retries.succeeded(key);
    const last = chunk.at(-1);
    if (last) payload.resolveOffset(last.offset);
    ctx.commits.request(payload);
    await payload.heartbeat();
  }
}
