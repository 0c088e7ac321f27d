import { and, isNotNull, lt } from "drizzle-orm";
import type { Db } from "../db.ts";
import { authors, processedEvents, revokedSessions } from "../schema.ts";

export interface Retention {
  /** Inbox entries older than this are forgotten: longer than the topics keep events, so any redelivery is caught. */
  inboxMs: number;
  /** Revocations older than this concern tokens that have expired anyway. */
  revocationsMs: number;
}

/**
 * Deletes what no longer matters: inbox entries and revocations past their retention, and the tombstones of
 * deleted authors (an id and times, no name) once no event about them can be redelivered: they only keep a
 * late event from reviving the author, and after the inbox retention the inbox would not stop it either.
 * Idempotent, so every instance may run it; returns the rows deleted.
 */
export async function purgeExpired(db: Db, retention: Retention, now = Date.now()) {
  const inbox = await db
    .delete(processedEvents)
    .where(lt(processedEvents.processedAt, new Date(now - retention.inboxMs)));
  const revocations = await db
    .delete(revokedSessions)
    .where(lt(revokedSessions.revokedAt, new Date(now - retention.revocationsMs)));
  const tombstones = await db
    .delete(authors)
    .where(and(isNotNull(authors.deletedAt), lt(authors.deletedAt, new Date(now - retention.inboxMs))));
  return { inbox: inbox.count, revocations: revocations.count, authorTombstones: tombstones.count };
}
