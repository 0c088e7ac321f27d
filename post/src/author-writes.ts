import { createEvent, type EventOrigin, PostDeleted, PostEvents } from "@chirp/contracts";
import { eq, sql } from "drizzle-orm";
import type { Tx } from "./db.ts";
import { appendToOutbox } from "./events/outbox-store.ts";
import { authors, posts } from "./schema.ts";

export interface AuthorState {
  id: string;
  name: string;
  bio: string;
}

/** An author's state as of an event's time. */
export interface AuthorVersion {
  author: AuthorState;
  occurredAt: Date;
}

/**
 * Writes authors' states in one statement, each unless its row holds newer state or a tombstone. Versions
 * are in partition order; the statement may touch a row only once, so each author's versions are first
 * reduced to the one that applying them in order would leave: the last of those with the latest time.
 */
export async function upsertAuthors(tx: Tx, versions: readonly AuthorVersion[]) {
  const latest = new Map<string, AuthorVersion>();
  for (const version of versions) {
    const held = latest.get(version.author.id);
    if (!held || held.occurredAt <= version.occurredAt) latest.set(version.author.id, version);
  }
  if (latest.size === 0) return;
  await tx
    .insert(authors)
    .values([...latest.values()].map(({ author, occurredAt }) => ({ ...author, updatedAt: occurredAt })))
    .onConflictDoUpdate({
      target: authors.id,
      set: { name: sql`excluded.name`, bio: sql`excluded.bio`, updatedAt: sql`excluded.updated_at` },
      // `<=`: two events of one millisecond apply in partition order; redeliveries stop at the inbox.
      setWhere: sql`${authors.updatedAt} <= excluded.updated_at and ${authors.deletedAt} is null`,
    });
}

/** Tombstones the author, deletes their posts and queues a `post.deleted` for each, in the caller's transaction. */
export async function removeAuthor(tx: Tx, authorId: string, occurredAt: Date, origin: EventOrigin) {
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
}
