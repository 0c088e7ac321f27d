import type { OutboxBacklog } from "@chirp/platform/outbox-metrics";
import type { OutboxEntry, OutboxStore } from "@chirp/platform/outbox-relay";
import type { Db } from "mongodb";
import { collections } from "../db.ts";
import type { Lease } from "./lease.ts";
import type { ChangeCheck, OutboxDocument } from "./outbox-types.ts";

export interface MongoOutboxStoreOptions {
  /** Keeps one drainer at a time across instances, so order per key survives. */
  lease: Lease;
  /** Age after which a pending entry is settled by checking its change (the writer gives up at half). */
  staleMs: number;
  /** How often the drainer looks for stale pending entries. */
  sweepEveryMs?: number;
}

export interface MongoOutboxStore extends OutboxStore {
  /** Settles stale pending entries now: ready when their change happened, withdrawn when it did not. */
  sweep(): Promise<{ ready: number; withdrawn: number }>;
  /** Lets another instance drain at once (on shutdown). */
  release(): Promise<void>;
  /** Entries not yet published (pending or ready) and the age of the oldest, for metrics. */
  backlog(): Promise<OutboxBacklog>;
}

export function createMongoOutboxStore(db: Db, options: MongoOutboxStoreOptions): MongoOutboxStore {
  const outbox = db.collection<OutboxDocument>(collections.outbox);
  const sweepEveryMs = options.sweepEveryMs ?? 10_000;
  let lastSweep = 0;

  async function happened(check: ChangeCheck) {
    const found = await db
      .collection<{ _id: string }>(check.collection)
      .countDocuments({ _id: { $in: check.ids }, ...check.match });
    return check.expect === "present" ? found === check.ids.length : found === 0;
  }

  async function sweep() {
    lastSweep = Date.now();
    const stale = await outbox
      .find({ status: "pending", createdAt: { $lt: new Date(Date.now() - options.staleMs) } })
      .toArray();
    let ready = 0;
    for (const entry of stale) {
      if (await happened(entry.check)) {
        await outbox.updateOne({ _id: entry._id }, { $set: { status: "ready" } });
        ready++;
      } else {
        await outbox.deleteOne({ _id: entry._id });
      }
    }
    return { ready, withdrawn: stale.length - ready };
  }

  return {
    async drain(limit, send) {
      if (!(await options.lease.acquire())) return 0;
      if (Date.now() - lastSweep >= sweepEveryMs) await sweep();
      const batch = await outbox.find({ status: "ready" }).sort({ seq: 1 }).limit(limit).toArray();
      if (batch.length === 0) return 0;
      const entries: OutboxEntry[] = batch.map(({ topic, event, traceparent }) => ({
        topic,
        event,
        ...(traceparent ? { traceparent } : {}),
      }));
      await send(entries);
      // Sent entries are deleted rather than flagged: the outbox stays small and each delete is by _id.
      await outbox.deleteMany({ _id: { $in: batch.map((entry) => entry._id) } });
      return batch.length;
    },
    sweep,
    release: () => options.lease.release(),
    async backlog() {
      const [pending, oldest] = await Promise.all([
        outbox.countDocuments({}),
        outbox
          .find({}, { projection: { createdAt: 1 } })
          .sort({ seq: 1 })
          .limit(1)
          .next(),
      ]);
      const ageMs = oldest ? Date.now() - oldest.createdAt.getTime() : 0;
      return { pending, oldestAgeSeconds: Math.max(0, ageMs / 1000) };
    },
  };
}
