import type { TopicDefinition, TopicEvent } from "@chirp/contracts";
import { currentTraceparent } from "@chirp/platform/tracing/spans";
import type { Db } from "mongodb";
import { collections } from "../db.ts";
import type { ChangeCheck, OutboxDocument } from "./outbox-types.ts";

/** An event for a topic, to be published once its change is applied. */
export interface OutgoingEvent<T extends TopicDefinition = TopicDefinition> {
  topic: T;
  event: TopicEvent<T>;
}

/** Writes changes together with their events (see `record`). */
export interface EventOutbox {
  /**
   * Inserts the events as pending, applies the change, then marks them ready for the relay. A crash in
   * between leaves pending entries that the sweeper settles with `check`; a change that throws withdraws them.
   */
  record<R>(events: OutgoingEvent[], check: ChangeCheck, apply: () => Promise<R>): Promise<R>;
  /** Called after entries became ready (the relay's `wake`). */
  onReady(listener: () => void): void;
}

/** Thrown when a change could not start before the sweeper might judge its entries; nothing was applied. */
export class StaleWriteError extends Error {
  override name = "StaleWriteError";
}

let counter = 0;
/** Milliseconds with a per-process counter, so entries written in one millisecond keep their order. */
const nextSeq = () => Date.now() * 1000 + (counter++ % 1000);

export function createEventOutbox(db: Db, staleMs: number): EventOutbox {
  const outbox = db.collection<OutboxDocument>(collections.outbox);
  const listeners: (() => void)[] = [];
  return {
    async record<R>(events: OutgoingEvent[], check: ChangeCheck, apply: () => Promise<R>): Promise<R> {
      const started = Date.now();
      const ids = events.map(({ event }) => event.id);
      const traceparent = currentTraceparent();
      await outbox.insertMany(
        events.map(({ topic, event }) => ({
          _id: event.id,
          seq: nextSeq(),
          status: "pending" as const,
          topic: topic.name,
          event,
          check,
          ...(traceparent ? { traceparent } : {}),
          createdAt: new Date(started),
        })),
      );
      let result: R;
      try {
        // Past half the stale age the sweeper could settle these entries before our change lands.
        if (Date.now() - started > staleMs / 2) throw new StaleWriteError("the write took too long to start");
        result = await apply();
      } catch (error) {
        await outbox.deleteMany({ _id: { $in: ids } }).catch(() => {});
        throw error;
      }
      await outbox.updateMany({ _id: { $in: ids } }, { $set: { status: "ready" } });
      for (const listener of listeners) listener();
      return result;
    },
    onReady(listener) {
      listeners.push(listener);
    },
  };
}
