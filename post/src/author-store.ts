import { createEvent, type EventOrigin, PostDeleted, PostEvents } from "@chirp/contracts";
import { eq, sql } from "drizzle-orm";
import type { Db } from "./db.ts";
import { claimEvent } from "./events/inbox.ts";
import { appendToOutbox } from "./events/outbox-store.ts";
import { authors, posts } from "./schema.ts";

export interface AuthorState {
  id: string;
  name: string;
  bio: string;
}

/** The authors projection. Each method applies one consumed event once; false means "already applied". */
export interface AuthorStore {
  /** Writes the author's state as of `occurredAt`, unless the row holds newer state or a tombstone. */
  upsert(eventId: string, author: AuthorState, occurredAt: Date): Promise<boolean>;
  /** Tombstones the author, deletes their posts and queues a `post.deleted` for each, in one transaction. */
  remove(eventId: string, authorId: string, occurredAt: Date, origin: EventOrigin): Promise<boolean>;
}

export function createAuthorStore(db: Db, onCommitted: () => void = () => {}): AuthorStore {
  return {
    upsert(eventId, author, occurredAt) {
      return db.transaction(async (tx) => {
        if (!(await claimEvent(tx, eventId))) return false;
        await tx
          .insert(authors)
          .values({ ...author, updatedAt: occurredAt })
          .onConflictDoUpdate({
            target: authors.id,
            set: { name: author.name, bio: author.bio, updatedAt: occurredAt },
            // `<=`: two events of one millisecond apply in partition order; redeliveries stop at the inbox.
            setWhere: sql`${authors.updatedAt} <= ${occurredAt.toISOString()}::timestamptz and ${authors.deletedAt} is null`,
          });
        return true;
      });
    },

    async remove(eventId, authorId, occurredAt, origin) {
      const applied = await db.transaction(async (tx) => {
        if (!(await claimEvent(tx, eventId))) return false;
        await tx
          .insert(authors)
          .values({ id: authorId, name: "", updatedAt: occurredAt, deletedAt: occurredAt })
          .onConflictDoUpdate({
            target: authors.id,
            set: { deletedAt: sql`coalesce(${authors.deletedAt}, excluded.deleted_at)` },
          });
        const gone = await tx.delete(posts).where(eq(posts.authorId, authorId)).returning({ id: posts.id });
        await appendToOutbox(
          tx,
          gone.map(({ id }) => ({
            topic: PostEvents.name,
            event: createEvent(PostDeleted, { postId: id, authorId }, origin),
          })),
        );
        return true;
      });
      if (applied) onCommitted();
      return applied;
    },
  };
}
