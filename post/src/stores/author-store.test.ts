import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { asc, like } from "drizzle-orm";
import { connectDb, migrateDb } from "../db.ts";
import { claimEvent } from "../events/inbox.ts";
import { authors, posts } from "../schema.ts";
import { createTestDatabase, testConfig } from "../testing/index.ts";
import { type AuthorChange, type AuthorStore, createAuthorStore, removeAuthor, upsertAuthors } from "./author-store.ts";

const config = testConfig();
let database: AsyncDisposable;
let connection: ReturnType<typeof connectDb>;
let store: AuthorStore;

beforeAll(async () => {
  database = await createTestDatabase(config.DATABASE_URL);
  await migrateDb(config.DATABASE_URL);
  connection = connectDb(config.DATABASE_URL, 2);
  store = createAuthorStore(connection.db);
});
afterAll(async () => {
  await connection.sql.end();
  await database[Symbol.asyncDispose]();
});

/** A small deterministic generator (mulberry32), so a failure reproduces. */
function random(seed: number) {
  let state = seed;
  return (below: number) => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) % below;
  };
}

/**
 * A history of changes to a few authors with few distinct times (so ties and stale events occur), some
 * removals and some redeliveries, written once per namespace with event ids of that namespace.
 */
function history(length: number, seed: number) {
  const pick = random(seed);
  const steps = Array.from({ length }, (_, i) => ({
    step: i,
    author: `a${pick(4)}`,
    // Rare: a removal freezes its author for good, and the rest of the history would test nothing.
    remove: pick(60) === 0,
    minute: pick(5),
    redeliver: i > 0 && pick(8) === 0 ? pick(i) : null,
  }));
  return (namespace: string) => {
    const changes: AuthorChange[] = [];
    for (const { step, author, remove, minute, redeliver } of steps) {
      const earlier = redeliver === null ? undefined : changes[redeliver];
      if (earlier) {
        changes.push(earlier);
        continue;
      }
      const eventId = crypto.randomUUID();
      const occurredAt = new Date(Date.UTC(2026, 0, 1, 0, minute));
      const id = `${namespace}-${author}`;
      changes.push(
        remove
          ? { kind: "remove", eventId, authorId: id, occurredAt, origin: { source: "post" } }
          : { kind: "upsert", eventId, author: { id, name: `name ${step}`, bio: `bio ${step}` }, occurredAt },
      );
    }
    return changes;
  };
}

async function seedPosts(namespace: string) {
  const rows = ["a0", "a1", "a2", "a3"].map((author) => ({
    id: crypto.randomUUID(),
    authorId: `${namespace}-${author}`,
    title: "t",
    content: "c",
  }));
  await connection.db.insert(posts).values(rows);
}

/** The namespace's projection and remaining posts, with the namespace taken out of the ids. */
async function stateOf(namespace: string) {
  const strip = (id: string) => id.slice(namespace.length + 1);
  const rows = await connection.db
    .select()
    .from(authors)
    .where(like(authors.id, `${namespace}-%`))
    .orderBy(asc(authors.id));
  const left = await connection.db
    .select()
    .from(posts)
    .where(like(posts.authorId, `${namespace}-%`));
  return {
    authors: rows.map((row) => ({ ...row, id: strip(row.id) })),
    posts: left.map((post) => strip(post.authorId)).sort(),
  };
}

/**
 * The reference: one event per transaction, a claim then one plain conditional write, as the store did
 * before chunks (independent of the one-statement SQL that both `upsert` and `applyAll` now use).
 */
function applyAlone(change: AuthorChange) {
  return connection.db.transaction(async (tx) => {
    if (!(await claimEvent(tx, change.eventId))) return false;
    if (change.kind === "upsert") await upsertAuthors(tx, [change]);
    else await removeAuthor(tx, change.authorId, change.occurredAt, change.origin);
    return true;
  });
}

describe("the authors store, one event at a time", () => {
  test("upsert applies an event once, and not over newer state", async () => {
    const [at, later] = [new Date("2026-01-01T00:00:00Z"), new Date("2026-01-01T00:01:00Z")];
    const [first, newer, older] = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
    const results = [
      await store.upsert(first, { id: "o-1", name: "Ada", bio: "" }, at),
      await store.upsert(newer, { id: "o-1", name: "Ada L.", bio: "" }, later),
      await store.upsert(newer, { id: "o-1", name: "again", bio: "" }, later),
      await store.upsert(older, { id: "o-1", name: "stale", bio: "" }, at),
    ];
    const state = await stateOf("o");
    expect({ results, names: state.authors.map((row) => row.name) }).toEqual({
      results: [true, true, false, true],
      names: ["Ada L."],
    });
  });
});

describe("the authors store, applying a chunk in one transaction", () => {
  test("leaves the same projection as applying the same events one by one, for many orders", async () => {
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const make = history(120, seed);
      const [single, chunked] = [`s${seed}`, `c${seed}`];
      await Promise.all([seedPosts(single), seedPosts(chunked)]);
      let appliedSingly = 0;
      for (const change of make(single)) if (await applyAlone(change)) appliedSingly++;
      const changes = make(chunked);
      let appliedChunked = 0;
      for (let start = 0; start < changes.length; start += 7 + seed * 5) {
        appliedChunked += await store.applyAll(changes.slice(start, start + 7 + seed * 5));
      }
      expect({ seed, applied: appliedChunked, ...(await stateOf(chunked)) }).toEqual({
        seed,
        applied: appliedSingly,
        ...(await stateOf(single)),
      });
    }
  }, 60_000);

  test("a chunk redelivered whole changes nothing and counts nothing", async () => {
    const occurredAt = new Date();
    const changes: AuthorChange[] = [
      { kind: "upsert", eventId: crypto.randomUUID(), author: { id: "r-1", name: "Ada", bio: "" }, occurredAt },
      { kind: "upsert", eventId: crypto.randomUUID(), author: { id: "r-1", name: "Ada L.", bio: "x" }, occurredAt },
    ];
    expect(await store.applyAll(changes)).toBe(2);
    const before = await stateOf("r");
    // An older state arriving later in the same redelivered chunk must not win either.
    expect(await store.applyAll(changes)).toBe(0);
    expect(await stateOf("r")).toEqual(before);
    expect(before.authors.map((row) => row.name)).toEqual(["Ada L."]);
  });

  test("a removal in a chunk tombstones the author, so a later registration in the chunk cannot revive them", async () => {
    const [at, later] = [new Date("2026-01-01T00:00:00Z"), new Date("2026-01-01T00:01:00Z")];
    await seedPosts("t");
    const applied = await store.applyAll([
      { kind: "upsert", eventId: crypto.randomUUID(), author: { id: "t-a0", name: "Ada", bio: "" }, occurredAt: at },
      { kind: "remove", eventId: crypto.randomUUID(), authorId: "t-a0", occurredAt: at, origin: { source: "post" } },
      {
        kind: "upsert",
        eventId: crypto.randomUUID(),
        author: { id: "t-a0", name: "Back", bio: "" },
        occurredAt: later,
      },
    ]);
    const state = await stateOf("t");
    const queued =
      await connection.sql`select event->>'type' as type from outbox where event->'data'->>'authorId' = 't-a0'`;
    expect({ applied, authors: state.authors, posts: state.posts, queued: queued.map((row) => row.type) }).toEqual({
      applied: 3,
      // The tombstone keeps the id and times only: the name is erased with the account.
      authors: [{ id: "a0", name: "", bio: "", updatedAt: at, deletedAt: at }],
      posts: ["a1", "a2", "a3"],
      queued: ["post.deleted"],
    });
  });
});
