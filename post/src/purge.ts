import { lt } from "drizzle-orm";
import type { Db } from "./db.ts";
import { processedEvents, revokedSessions } from "./schema.ts";

export interface Retention {
  /** Inbox entries older than this are forgotten: longer than the topics keep events, so any redelivery is caught. */
  inboxMs: number;
  /** Revocations older than this concern tokens that have expired anyway. */
  revocationsMs: number;
}

/**
 * Deletes what no longer matters: inbox entries and revocations past their retention. Idempotent, so every
 * instance may run it; returns the rows deleted.
 */
export async function purgeExpired(db: Db, retention: Retention, now = Date.now()) {
  const inbox = await db
    .delete(processedEvents)
    .where(lt(processedEvents.processedAt, new Date(now - retention.inboxMs)));
  const revocations = await db
    .delete(revokedSessions)
    .where(lt(revokedSessions.revokedAt, new Date(now - retention.revocationsMs)));
  return { inbox: inbox.count, revocations: revocations.count };
}
