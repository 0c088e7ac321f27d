import { gte, sql } from "drizzle-orm";
import { type Db, executePrepared } from "../db.ts";
import { claimEvent } from "../events/inbox.ts";
import type { Revocation } from "../revocation/revocation-list.ts";
import { revokedSessions } from "../schema.ts";

/** The channel on which every instance hears of each revocation the moment it commits. */
export const REVOCATION_CHANNEL = "post_revocations";
// Session ids are letters, digits, '_' and '-', so this cannot be one.
const ALL_SESSIONS = "*";

/** Revocations in PostgreSQL: the source of truth each instance's in-memory list is rebuilt from. */
export interface RevocationStore {
  /** Records a revocation once per event id, and notifies every instance in the same transaction. */
  record(eventId: string, revocation: Revocation): Promise<boolean>;
  since(time: Date): Promise<Revocation[]>;
}

export function createRevocationStore(db: Db): RevocationStore {
  return {
    record(eventId, revocation) {
      return db.transaction(async (tx) => {
        if (!(await claimEvent(tx, eventId))) return false;
        const row = {
          userId: revocation.userId,
          sessionId: revocation.sessionId ?? ALL_SESSIONS,
          revokedAt: revocation.revokedAt,
        };
        await tx
          .insert(revokedSessions)
          .values(row)
          .onConflictDoUpdate({
            target: [revokedSessions.userId, revokedSessions.sessionId],
            set: { revokedAt: sql`greatest(${revokedSessions.revokedAt}, excluded.revoked_at)` },
          })
          .prepare("record_revocation")
          .execute();
        await executePrepared(
          tx,
          "notify_revocation",
          sql`select pg_notify(${REVOCATION_CHANNEL}, ${encodeRevocation(revocation)})`,
        );
        return true;
      });
    },
    async since(time) {
      const rows = await db.select().from(revokedSessions).where(gte(revokedSessions.revokedAt, time));
      return rows.map((row) => ({
        userId: row.userId,
        sessionId: row.sessionId === ALL_SESSIONS ? null : row.sessionId,
        revokedAt: row.revokedAt,
      }));
    },
  };
}

export const encodeRevocation = (revocation: Revocation) =>
  JSON.stringify({ ...revocation, revokedAt: revocation.revokedAt.toISOString() });

export function decodeRevocation(payload: string): Revocation {
  const value = JSON.parse(payload) as { userId: string; sessionId: string | null; revokedAt: string };
  return { userId: value.userId, sessionId: value.sessionId, revokedAt: new Date(value.revokedAt) };
}
