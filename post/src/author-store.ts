import type { EventOrigin } from "@chirp/contracts";
import {
  type AuthorState,
  type AuthorUpsert,
  type AuthorVersion,
  claimAndUpsertAuthors,
  removeAuthor,
  upsertAuthors,
} from "./author-writes.ts";
import type { Db } from "./db.ts";
import { claimEvent, claimEvents } from "./events/inbox.ts";

export type { AuthorState } from "./author-writes.ts";

/** One consumed event's change to the projection. */
export type AuthorChange =
  | ({ kind: "upsert"; eventId: string } & AuthorVersion)
  | { kind: "remove"; eventId: string; authorId: string; occurredAt: Date; origin: EventOrigin };

/** The authors projection. Each method applies consumed events once; false or 0 means "already applied". */
export interface AuthorStore {
  /** Writes the author's state as of `occurredAt`, unless the row holds newer state or a tombstone. */
  upsert(eventId: string, author: AuthorState, occurredAt: Date): Promise<boolean>;
  /** Tombstones the author, deletes their posts and queues a `post.deleted` for each, in one transaction. */
  remove(eventId: string, authorId: string, occurredAt: Date, origin: EventOrigin): Promise<boolean>;
  /**
   * Applies changes in order, each exactly as `upsert`/`remove` would, in one transaction: a single
   * statement when there are only upserts, else one claim statement, one statement per run of upserts
   * and the removals between them. Returns how many were applied for the first time.
   */
  applyAll(changes: readonly AuthorChange[]): Promise<number>;
}

export function createAuthorStore(db: Db, onCommitted: () => void = () => {}): AuthorStore {
  return {
    async upsert(eventId, author, occurredAt) {
      return (await claimAndUpsertAuthors(db, [{ eventId, author, occurredAt }])) === 1;
    },

    async remove(eventId, authorId, occurredAt, origin) {
      const applied = await db.transaction(async (tx) => {
        if (!(await claimEvent(tx, eventId))) return false;
        await removeAuthor(tx, authorId, occurredAt, origin);
        return true;
      });
      if (applied) onCommitted();
      return applied;
    },

    async applyAll(changes) {
      // The common case, registrations and updates only, takes one statement.
      const upserts = changes.filter((change): change is AuthorUpsert & AuthorChange => change.kind === "upsert");
      if (upserts.length === changes.length) return claimAndUpsertAuthors(db, upserts);
      const { applied, removed } = await db.transaction(async (tx) => {
        const claimed = await claimEvents(
          tx,
          changes.map((change) => change.eventId),
        );
        // Deleting from the set keeps only the first of an event delivered twice within the chunk.
        const fresh = changes.filter((change) => claimed.delete(change.eventId));
        // Upserts between two removals commute per author (see upsertAuthors); a removal is a barrier.
        let run: AuthorVersion[] = [];
        for (const change of fresh) {
          if (change.kind === "upsert") {
            run.push(change);
            continue;
          }
          await upsertAuthors(tx, run);
          run = [];
          await removeAuthor(tx, change.authorId, change.occurredAt, change.origin);
        }
        await upsertAuthors(tx, run);
        return { applied: fresh.length, removed: fresh.some((change) => change.kind === "remove") };
      });
      if (removed) onCommitted();
      return applied;
    },
  };
}
