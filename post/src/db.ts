import type { SQL } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import { drizzle } from "drizzle-orm/postgres-js";
import { migrate } from "drizzle-orm/postgres-js/migrator";
import postgres from "postgres";
import * as schema from "./schema.ts";

// In a `bun build --compile` binary import.meta.url points inside the executable (file:///$bunfs/root/post),
// where the build embeds drizzle/ with `--asset drizzle`; from source it is this file, beside ../drizzle.
const migrationsFolder = new URL(
  import.meta.url.startsWith("file:///$bunfs/") ? "./drizzle" : "../drizzle",
  import.meta.url,
).pathname;
// Any constant shared by all instances: the advisory lock that lets only one of them migrate at a time.
const MIGRATION_LOCK = 0x63686972;

/**
 * Between reconnection attempts after a failed connection, at most half a second. postgres.js grows this
 * wait to 20 s by default, and a query waits for the next attempt: during a database outage requests
 * hung for up to 16 s instead of failing fast (found by e2e/faults/database-restart.e2e.ts).
 */
const reconnectBackoffSeconds = (attempt: number) => Math.min(0.5, 0.05 * 2 ** attempt);

/**
 * Every statement this service prepares looks rows up by key or keyset on an index, so one plan fits any
 * values, and planning it again on every execution costs more than running it. PostgreSQL's default
 * ("auto") did exactly that for the posts page: with `LIMIT $n` a generic plan is costed as if it read a
 * tenth of the table, so a custom plan always won. Forcing generic plans took PostgreSQL's CPU per page
 * from 306-360 µs to ~190 µs, and from 547-686 µs to ~190 µs for a page at depth 100,000 (bench).
 */
const connection = { plan_cache_mode: "force_generic_plan" };

export function connectDb(url: string, max = 10) {
  const sql = postgres(url, {
    max,
    onnotice: () => {},
    connect_timeout: 5,
    backoff: reconnectBackoffSeconds,
    connection,
  });
  return { sql, db: drizzle(sql, { schema }) };
}

export type Db = ReturnType<typeof connectDb>["db"];
export type Sql = ReturnType<typeof connectDb>["sql"];
/** A transaction of `Db`, for code that must write in the caller's transaction (outbox, inbox). */
export type Tx = Parameters<Parameters<Db["transaction"]>[0]>[0];

const dialect = new PgDialect();

/**
 * Runs a raw statement as a prepared statement, in `db` or in a transaction. Drizzle prepares only what a
 * query builder names with `.prepare()` (drizzle-orm#6096); any other statement postgres.js sends as parse
 * and describe, waits, then binds and executes: two round trips, and PostgreSQL plans it every time. Only for
 * statements whose text is the same on every run (pass varying lists as one JSON parameter): postgres.js
 * keeps every text it prepared, per connection, for the connection's life. `name` is drizzle's; postgres.js
 * names its statements itself and finds them by text, and so does `.prepare(name)` on a builder. After a
 * migration changes the type of a column a statement returns, PostgreSQL refuses its plan once per connection:
 * postgres.js prepares it again, except inside a transaction, which then fails once.
 */
export function executePrepared<Row>(db: Db | Tx, name: string, query: SQL): Promise<Row[]> {
  return db._.session
    .prepareQuery<{ execute: Row[]; all: Row[]; values: unknown[][] }>(
      dialect.sqlToQuery(query),
      undefined,
      name,
      false,
    )
    .execute();
}

/** Applies pending drizzle-kit migrations. Instances starting together wait for each other. */
export async function migrateDb(url: string) {
  const sql = postgres(url, { max: 1, onnotice: () => {} });
  try {
    await sql`select pg_advisory_lock(${MIGRATION_LOCK})`;
    await migrate(drizzle(sql), { migrationsFolder });
  } finally {
    await sql.end();
  }
}
