import { expect, test } from "bun:test";
import { connectDb, migrateDb } from "../db.ts";
import { authors, processedEvents, revokedSessions } from "../schema.ts";
import { createTestDatabase, testConfig } from "../testing/index.ts";
import { purgeExpired } from "./purge.ts";

const hour = 3_600_000;

test("purges inbox entries, revocations and author tombstones past their retention, and keeps the rest", async () => {
  const config = testConfig();
  await using _database = await createTestDatabase(config.DATABASE_URL);
  await migrateDb(config.DATABASE_URL);
  const { db, sql } = connectDb(config.DATABASE_URL, 2);
  try {
    const now = Date.now();
    const ago = (ms: number) => new Date(now - ms);
    await db.insert(processedEvents).values([
      { eventId: crypto.randomUUID(), processedAt: ago(15 * 24 * hour) },
      { eventId: crypto.randomUUID(), processedAt: ago(13 * 24 * hour) },
      { eventId: crypto.randomUUID(), processedAt: ago(0) },
    ]);
    await db.insert(revokedSessions).values([
      { userId: "u1", sessionId: "old", revokedAt: ago(2 * hour) },
      { userId: "u1", sessionId: "*", revokedAt: ago(30 * 60_000) },
    ]);

    await db.insert(authors).values([
      { id: "gone-long-ago", name: "", bio: "", updatedAt: ago(15 * 24 * hour), deletedAt: ago(15 * 24 * hour) },
      { id: "gone-lately", name: "", bio: "", updatedAt: ago(hour), deletedAt: ago(hour) },
      { id: "live", name: "Ann", bio: "", updatedAt: ago(15 * 24 * hour), deletedAt: null },
    ]);

    const purged = await purgeExpired(db, { inboxMs: 14 * 24 * hour, revocationsMs: hour }, now);

    expect(purged).toEqual({ inbox: 1, revocations: 1, authorTombstones: 1 });
    expect((await db.select().from(authors)).map((row) => row.id).sort()).toEqual(["gone-lately", "live"]);
    expect((await db.select().from(processedEvents)).length).toBe(2);
    expect((await db.select().from(revokedSessions)).map((row) => row.sessionId)).toEqual(["*"]);
    expect(await purgeExpired(db, { inboxMs: 14 * 24 * hour, revocationsMs: hour }, now)).toEqual({
      inbox: 0,
      revocations: 0,
      authorTombstones: 0,
    });
  } finally {
    await sql.end();
  }
});
