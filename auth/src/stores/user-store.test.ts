import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { eventually } from "@chirp/platform/testing";
import { MongoClient } from "mongodb";
import postgres from "postgres";
import { collections, ensureIndexes } from "../db.ts";
import { createEventOutbox } from "../events/outbox.ts";
import { testConfig } from "../testing/index.ts";
import { createMongoUserStore } from "./user-store.ts";

/**
 * Lookups must cost the same at 1k users as at 100k: on the local default (FerretDB on PostgreSQL, with the
 * GIN companions of infra/ferretdb-indexes.sql) that means an index, never a scan of the collection's table.
 * PostgreSQL's own counters say which, so this holds without a clock. Elsewhere (real MongoDB, FerretDB on
 * SQLite) there is no table to ask: the test says so and skips.
 */
const mongoUrl = new URL(testConfig().MONGO_URL);
const database = mongoUrl.pathname.slice(1);
const ferretPostgres = process.env.FERRETDB_POSTGRES_URL ?? "postgres://postgres@127.0.0.1:5432/chirp_ferret";
const client = new MongoClient(mongoUrl.href);
const db = client.db();
const sql = postgres(ferretPostgres, { max: 1, onnotice: () => {} });
const users = 3_000;

let table: string | undefined;
beforeAll(async () => {
  await ensureIndexes(db);
  const docs = Array.from({ length: users }, (_, i) => ({
    _id: `user-${i}`,
    email: `user${i}@example.com`,
    name: `User ${i}`,
    bio: "",
    createdAt: new Date(),
    updatedAt: new Date(),
  }));
  for (let i = 0; i < docs.length; i += 1_000) {
    await db.collection<{ _id: string }>(collections.users).insertMany(docs.slice(i, i + 1_000));
  }
  const rows = await sql<{ relname: string }[]>`
    select relname from pg_stat_user_tables where schemaname = ${database} and relname like 'users\\_%'`.catch(
    () => [],
  );
  table = rows[0]?.relname;
  if (!table)
    console.log(`skipped: ${mongoUrl.host} keeps no tables in ${ferretPostgres} (not FerretDB on PostgreSQL)`);
});
afterAll(async () => {
  await db.dropDatabase();
  await client.close();
  await sql.end();
});

/** Index scans so far of the table's GIN companions (the indexes that can serve FerretDB's `@>` pushdown). */
const ginScans = async () => {
  const [row] = await sql<{ scans: number; indexes: number }[]>`
    select coalesce(sum(idx_scan), 0)::int as scans, count(*)::int as indexes from pg_stat_user_indexes
    where schemaname = ${database} and relname = ${table ?? ""} and indexrelname like '%\_gin'`;
  if (!row?.indexes)
    throw new Error(`no GIN companions on ${database}.${table}: infra/ferretdb-indexes.sql not applied?`);
  return row.scans;
};

describe("the user store's lookups on the local default", () => {
  test("by e-mail and by id each read a GIN index, not the whole table", async () => {
    if (!table) return;
    const store = createMongoUserStore(db, createEventOutbox(db, 60_000));
    const before = await ginScans();
    const lookups = 20;
    for (let i = 0; i < lookups; i++) {
      const n = Math.floor(Math.random() * users);
      expect((await store.findByEmail(`user${n}@example.com`))?.id).toBe(`user-${n}`);
      expect((await store.findById(`user-${n}`))?.email).toBe(`user${n}@example.com`);
    }
    // One index scan per lookup, or the lookup read the table. FerretDB's connections report their counters
    // when idle (PostgreSQL flushes them within ~10 s), so the count is awaited, not read at once.
    await eventually(async () => (await ginScans()) - before >= 2 * lookups, {
      timeoutMs: 30_000,
      intervalMs: 250,
      what: `${2 * lookups} scans of ${table}'s GIN indexes`,
    });
  }, 60_000);
});
