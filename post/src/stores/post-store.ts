import { createEvent, type EventOrigin, PostCreated, PostDeleted, PostEvents, PostUpdated } from "@chirp/contracts";
import { and, desc, eq, isNull, type Placeholder, type SQL, sql } from "drizzle-orm";
import type { Db, Tx } from "../db.ts";
import { appendToOutbox } from "../events/outbox-store.ts";
import { authors, posts } from "../schema.ts";

/** A post with its author as the projection knows them (`name` null: not projected yet). */
export interface PostView {
  id: string;
  title: string;
  content: string;
  createdAt: Date;
  updatedAt: Date;
  author: { id: string; name: string | null };
}

/** A position in the newest-first order: the last post of the previous page. */
export interface Keyset {
  createdAt: Date;
  id: string;
}

export interface PageQuery {
  limit: number;
  after?: Keyset | undefined;
  authorId?: string | undefined;
}

export interface PostInput {
  title: string;
  content: string;
}

/** The author's account is deleted: they can no longer post. */
export class AuthorDeletedError extends Error {
  override name = "AuthorDeletedError";
}

/** Posts with their authors; every change is written with its event, in one transaction. */
export interface PostStore {
  /** Newest first, strictly after `after`; authors joined in the same query. */
  list(query: PageQuery): Promise<PostView[]>;
  get(id: string): Promise<PostView | null>;
  /**
   * `nameOf` is asked (inside the transaction, so a failure commits nothing) when the projection does not
   * know the author yet; null from it means the author does not exist.
   */
  create(
    authorId: string,
    input: PostInput,
    origin: EventOrigin,
    nameOf: (authorId: string) => Promise<string | null>,
  ): Promise<PostView>;
  update(id: string, patch: Partial<PostInput>, origin: EventOrigin): Promise<PostView | null>;
  /** The deleted post's author, or null when there was no such post. */
  remove(id: string, origin: EventOrigin): Promise<{ authorId: string } | null>;
}

const view = {
  id: posts.id,
  title: posts.title,
  content: posts.content,
  createdAt: posts.createdAt,
  updatedAt: posts.updatedAt,
  author: { id: posts.authorId, name: authors.name },
};

function selectPosts(from: Db | Tx, where: SQL | undefined, limit: number | Placeholder) {
  return from
    .select(view)
    .from(posts)
    .leftJoin(authors, and(eq(authors.id, posts.authorId), isNull(authors.deletedAt)))
    .where(where)
    .orderBy(desc(posts.createdAt), desc(posts.id))
    .limit(limit);
}

/** What `list` binds: placeholders in the prepared statements, values in `pageQuery`. */
interface PageBinding {
  limit: number | Placeholder;
  at?: string | Placeholder | undefined;
  id?: string | Placeholder | undefined;
  authorId?: string | Placeholder | undefined;
}

function pageStatement(db: Db, { limit, at, id, authorId }: PageBinding) {
  // Row comparison matches the (created_at, id) index, so any page costs the same as the first.
  const seek =
    at !== undefined && id !== undefined
      ? sql`(${posts.createdAt}, ${posts.id}) < (${at}::timestamptz, ${id}::uuid)`
      : undefined;
  return selectPosts(db, and(authorId !== undefined ? eq(posts.authorId, authorId) : undefined, seek), limit);
}

/** The statement behind `list`, with values; exported so the bench's raw reference runs the same SQL. */
export function pageQuery(db: Db, { limit, after, authorId }: PageQuery) {
  return pageStatement(db, { limit, at: after?.createdAt.toISOString(), id: after?.id, authorId });
}

/**
 * `list` as four prepared statements (with or without a cursor, with or without an author): the page is
 * the hottest query, and building it with drizzle on every request cost more than running it.
 */
function preparePages(db: Db) {
  const variant = (after: boolean, author: boolean) =>
    pageStatement(db, {
      limit: sql.placeholder("limit"),
      at: after ? sql.placeholder("at") : undefined,
      id: after ? sql.placeholder("id") : undefined,
      authorId: author ? sql.placeholder("authorId") : undefined,
    }).prepare(`posts_page_${after ? "after" : "first"}_${author ? "author" : "all"}`);
  const first = { all: variant(false, false), author: variant(false, true) };
  const next = { all: variant(true, false), author: variant(true, true) };
  return ({ limit, after, authorId }: PageQuery) =>
    (after ? next : first)[authorId ? "author" : "all"].execute({
      limit,
      at: after?.createdAt.toISOString(),
      id: after?.id,
      authorId,
    });
}

/** `onCommitted` runs after each commit that queued events (the relay's `wake`). */
export function createPostStore(db: Db, onCommitted: () => void = () => {}): PostStore {
  // By id, prepared (see `executePrepared`): the statement a post's reads and updates end with.
  const byId = (from: Db | Tx) => selectPosts(from, eq(posts.id, sql.placeholder("id")), 1).prepare("post_by_id");
  const getPost = byId(db);

  async function committed<T>(work: (tx: Tx) => Promise<T>) {
    const result = await db.transaction(work);
    if (result !== null) onCommitted();
    return result;
  }

  return {
    list: preparePages(db),

    async get(id) {
      const [row] = await getPost.execute({ id });
      return row ?? null;
    },

    create(authorId, input, origin, nameOf) {
      return committed(async (tx) => {
        // FOR SHARE makes a concurrent user.deleted wait for this insert (and then delete the post) or
        // be seen here as a tombstone.
        const [author] = await tx
          .select({ name: authors.name, deletedAt: authors.deletedAt })
          .from(authors)
          .where(eq(authors.id, authorId))
          .for("share")
          .prepare("author_for_post")
          .execute();
        const name = author ? author.name : await nameOf(authorId);
        if (author?.deletedAt || name === null) throw new AuthorDeletedError(`author ${authorId} is deleted`);
        const [row] = await tx
          .insert(posts)
          .values({ id: Bun.randomUUIDv7(), authorId, title: input.title, content: input.content })
          .returning()
          .prepare("insert_post")
          .execute();
        if (!row) throw new Error("insert returned no row");
        const data = { postId: row.id, authorId, title: row.title };
        await appendToOutbox(tx, [{ topic: PostEvents.name, event: createEvent(PostCreated, data, origin) }]);
        const { authorId: _, ...post } = row;
        return { ...post, author: { id: authorId, name } };
      });
    },

    update(id, patch, origin) {
      return committed(async (tx) => {
        // A text per set of patched fields, so three at most (postgres.js keys its statements by text).
        const [row] = await tx
          .update(posts)
          .set({ ...patch, updatedAt: sql`now()` })
          .where(eq(posts.id, id))
          .returning({ id: posts.id, authorId: posts.authorId, title: posts.title })
          .prepare("update_post")
          .execute();
        if (!row) return null;
        const data = { postId: row.id, authorId: row.authorId, title: row.title };
        await appendToOutbox(tx, [{ topic: PostEvents.name, event: createEvent(PostUpdated, data, origin) }]);
        const [updated] = await byId(tx).execute({ id });
        return updated ?? null;
      });
    },

    remove(id, origin) {
      return committed(async (tx) => {
        const [row] = await tx
          .delete(posts)
          .where(eq(posts.id, id))
          .returning({ authorId: posts.authorId })
          .prepare("delete_post")
          .execute();
        if (!row) return null;
        const data = { postId: id, authorId: row.authorId };
        await appendToOutbox(tx, [{ topic: PostEvents.name, event: createEvent(PostDeleted, data, origin) }]);
        return row;
      });
    },
  };
}
