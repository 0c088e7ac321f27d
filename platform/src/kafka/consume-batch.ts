import { parseEvent, type TopicDefinition, type TopicEvent } from "@chirp/contracts";
import type { EachBatchPayload, KafkaMessage } from "kafkajs";
import type { Logger } from "../logger.ts";
import type { DeadLetter } from "./dead-letter.ts";
import type { OffsetCommits } from "./offset-commits.ts";
import { type DependencyProbe, errorMessage, type Liveness, type RetryPolicy, withRetries } from "./retry.ts";
import type { Subscription } from "./subscription.ts";

export interface BatchContext {
  retry: RetryPolicy;
  deadLetter: DeadLetter;
  logger: Logger;
  dependenciesUp: DependencyProbe;
  commits: OffsetCommits;
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
 */
export async function consumeBatch(payload: EachBatchPayload, sub: Subscription, ctx: BatchContext) {
  const { topic, partition, messages } = payload.batch;
  const liveness: Liveness = {
    heartbeat: payload.heartbeat,
    live: () => payload.isRunning() && !payload.isStale(),
  };

  /** The per-message path: retries, then the dead-letter topic. False if the consumer stopped meanwhile. */
  async function applyOne({ message, event }: Parsed) {
    const meta = { topic, partition, offset: message.offset };
    const attempt = await withRetries(
      () => sub.handle(event, meta),
      ctx.retry,
      liveness,
      (err, n) => ctx.logger.warn({ ...meta, eventId: event.id, attempt: n, err }, "handler failed; retrying"),
      ctx.dependenciesUp,
    );
    if (attempt.outcome === "stopped") return false;
    if (attempt.outcome === "failed") {
      await ctx.deadLetter({ topic, partition, message }, "handler-failed", errorMessage(attempt.error));
    }
    return true;
  }

  /** Applies a chunk's valid events: whole through the batch handler, else one by one. */
  async function apply(valid: Parsed[]) {
    const batch = sub.batch;
    // A single event takes the per-message path directly, so a failing one is not retried twice over.
    if (batch && valid.length > 1) {
      const first = valid[0]?.message.offset ?? "";
      const meta = { topic, partition, firstOffset: first, lastOffset: valid.at(-1)?.message.offset ?? first };
      const events = valid.map((item) => item.event);
      const attempt = await withRetries(
        () => batch.handle(events, meta),
        ctx.retry,
        liveness,
        (err, n) =>
          ctx.logger.warn({ ...meta, events: events.length, attempt: n, err }, "batch handler failed; retrying"),
        ctx.dependenciesUp,
      );
      if (attempt.outcome !== "failed") return attempt.outcome === "done";
      // Most likely one poison event: one by one, only the event that keeps failing is dead-lettered.
      ctx.logger.warn({ ...meta, err: attempt.error }, "chunk keeps failing; applying its events one by one");
    }
    for (const item of valid) {
      if (!liveness.live() || !(await applyOne(item))) return false;
      payload.resolveOffset(item.message.offset);
    }
    return true;
  }

  const size = sub.batch?.maxEvents ?? 1;
  for (let start = 0; start < messages.length; start += size) {
    if (!liveness.live()) return;
    const chunk = messages.slice(start, start + size);
    const valid: Parsed[] = [];
    for (const message of chunk) {
      const parsed = parseEvent(sub.topic, message.value ?? "");
      if (parsed.ok) valid.push({ message, event: parsed.event });
      else await ctx.deadLetter({ topic, partition, message }, parsed.reason, parsed.message);
    }
    if (!(await apply(valid))) return;
    const last = chunk.at(-1);
    if (last) payload.resolveOffset(last.offset);
    ctx.commits.request(payload);
    await payload.heartbeat();
  }
}
