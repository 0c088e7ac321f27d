import { afterAll, beforeAll, expect, test } from "bun:test";
import { connectDb, migrateDb } from "./db.ts";
import { createPostStore } from "./post-store.ts";
import { createTestDatabase, testConfig } from "./testing.ts";

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
