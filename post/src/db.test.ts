import { afterAll, beforeAll, expect, test } from "bun:test";
import { connectDb, migrateDb } from "./db.ts";
import { createOutboxStore } from "./events/outbox-store.ts";
import { createAuthorStore } from "./stores/author-store.ts";
import { createPostStore } from "./stores/post-store.ts";
import { createRevocationStore } from "./stores/revocation-store.ts";
import { createTestDatabase, testConfig } from "./testing/index.ts";

const config = testConfig();
let database: AsyncDisposable;
// One connection, so the statements the store prepares are the ones `pg_prepared_statements` lists.
let connection: ReturnType<typeof connectDb>;

beforeAll(async () => {
  database = await createTestDatabase(config.DATABASE_URL);
  await migrateDb(config.DATABASE_URL);
  connection = connectDb(config.DATABASE_URL, 1);
});
afterAll(async () => {
  await connection.sql.end();
  await database[Symbol.asyncDispose]();
});

test("the page statements are planned once, not on every execution", async () => {
  const store = createPostStore(connection.db);
  const after = { createdAt: new Date(), id: crypto.randomUUID() };
  // PostgreSQL's default plans the first five executions for their values and then keeps replanning
  // whenever a generic plan looks dearer, which with `LIMIT $n` it always does.
  for (let i = 0; i < 8; i++) {
    await store.list({ limit: 20 });
    await store.list({ limit: 20, after });
    await store.list({ limit: 10, authorId: "someone", after });
  }
  const statements = await connection.sql<{ generic_plans: string; custom_plans: string }[]>`
    select generic_plans, custom_plans from pg_prepared_statements
    where statement like '%from "posts"%limit%' and statement not like '%pg_prepared_statements%'`;
  expect(statements).toHaveLength(3);
  for (const { generic_plans, custom_plans } of statements) {
    expect(Number(custom_plans)).toBe(0);
    expect(Number(generic_plans)).toBe(8);
  }
});

test("posts, the outbox, the inbox, authors and revocations use prepared statements, one text each", async () => {
  const store = createPostStore(connection.db);
  const outbox = createOutboxStore(connection.db);
  const authors = createAuthorStore(connection.db);
  const revocations = createRevocationStore(connection.db);
  const origin = { source: "post" } as const;
  for (let i = 0; i < 3; i++) {
    const authorId = `author-${i}`;
    // One event, then two: the upsert's text is the same for any number of events.
    const upserts = Array.from({ length: i + 1 }, (_, n) => ({
      kind: "upsert" as const,
      eventId: crypto.randomUUID(),
      author: { id: `${authorId}-${n}`, name: "Ada", bio: "" },
      occurredAt: new Date(),
    }));
    await authors.applyAll(upserts);
    const post = await store.create(authorId, { title: `t${i}`, content: "c" }, origin, async () => "Ada");
    await store.update(post.id, { title: `t${i}!` }, origin);
    await store.get(post.id);
    await store.remove(post.id, origin);
    await outbox.drain(10, async () => {});
    // A removal makes the chunk take the transaction: the events are claimed first, in one statement.
    const removal = { kind: "remove" as const, eventId: crypto.randomUUID(), authorId, occurredAt: new Date(), origin };
    await authors.applyAll([...upserts.map((upsert) => ({ ...upsert, eventId: crypto.randomUUID() })), removal]);
    await revocations.record(crypto.randomUUID(), { userId: authorId, sessionId: null, revokedAt: new Date() });
  }
  const prepared = await connection.sql<{ statement: string; calls: string }[]>`
    select statement, (generic_plans + custom_plans)::text as calls from pg_prepared_statements
    where statement not like '%pg_prepared_statements%'`;
  const callsOf = (fragment: string) =>
    prepared.filter(({ statement }) => statement.includes(fragment)).map(({ calls }) => Number(calls));
  expect(callsOf("jsonb_to_recordset")).toEqual([3]);
  expect(callsOf('insert into "posts"')).toEqual([3]);
  expect(callsOf('update "posts"')).toEqual([3]);
  expect(callsOf('delete from "posts"')).toEqual([3]);
  // Creating, updating and removing each appended one entry; the drains deleted them.
  expect(callsOf('insert into "outbox"')).toEqual([9]);
  expect(callsOf('delete from "outbox"')).toEqual([3]);
  // The drain's own statements are planned for the outbox's size at hand, never from a cached generic plan.
  const drainPlans = await connection.sql<{ generic_plans: string; custom_plans: string }[]>`
    select generic_plans, custom_plans from pg_prepared_statements
    where statement like '%from "outbox"%' and statement not like '%pg_prepared_statements%'`;
  expect(drainPlans.map((plans) => [Number(plans.generic_plans), Number(plans.custom_plans)])).toEqual([
    [0, 3],
    [0, 3],
  ]);
  // Claimed by the removals' chunks and by the revocations.
  expect(callsOf("select distinct id::uuid")).toEqual([6]);
  expect(callsOf('insert into "revoked_sessions"')).toEqual([3]);
});
