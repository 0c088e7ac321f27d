import { describe, expect, test } from "bun:test";
import { createEvent, PostCreated, PostEvents } from "@chirp/contracts";
import type { OutboxEntry } from "@chirp/platform/outbox-relay";
import { eventually } from "@chirp/platform/testing";
import { connectDb, migrateDb } from "../db.ts";
import { outbox } from "../schema.ts";
import { createTestDatabase, testConfig } from "../testing/index.ts";
import { appendToOutbox, createOutboxStore, OUTBOX_CHANNEL } from "./outbox-store.ts";

const entry = (title: string): OutboxEntry => ({
  topic: PostEvents.name,
  event: createEvent(PostCreated, { postId: crypto.randomUUID(), authorId: "u1", title }, { source: "post" }),
});
const titles = (entries: OutboxEntry[]) => entries.map(({ event }) => (event.data as { title: string }).title);

/** A migrated database of its own, and a connection to it; disposing drops it. */
async function outboxDatabase() {
  const { DATABASE_URL } = testConfig();
  const database = await createTestDatabase(DATABASE_URL);
  await migrateDb(DATABASE_URL);
  const { sql, db } = connectDb(DATABASE_URL, 3);
  return {
    sql,
    db,
    async [Symbol.asyncDispose]() {
      await sql.end();
      await database[Symbol.asyncDispose]();
    },
  };
}

describe("the outbox in PostgreSQL", () => {
  test("its backlog counts what waits and ages the oldest entry, and is empty once drained", async () => {
    await using pg = await outboxDatabase();
    const store = createOutboxStore(pg.db);
    expect(await store.backlog()).toEqual({ pending: 0, oldestAgeSeconds: 0 });
    await pg.db.transaction((tx) => appendToOutbox(tx, ["a", "b"].map(entry)));
    // Written a minute ago, as after an outage of Kafka.
    await pg.sql`update outbox set created_at = now() - interval '60 seconds'`;
    const backlog = await store.backlog();
    expect(backlog.pending).toBe(2);
    expect(backlog.oldestAgeSeconds).toBeGreaterThanOrEqual(60);
    await store.drain(10, async () => {});
    expect(await store.backlog()).toEqual({ pending: 0, oldestAgeSeconds: 0 });
  });

  test("entries appended together leave in their order, and a drain deletes exactly what it sent", async () => {
    await using pg = await outboxDatabase();
    const store = createOutboxStore(pg.db);
    await pg.db.transaction((tx) => appendToOutbox(tx, ["a", "b", "c"].map(entry)));

    const sent: string[][] = [];
    // While the first drain sends, another transaction commits an entry: it was not sent, so it stays.
    const drained = await store.drain(2, async (entries) => {
      sent.push(titles(entries));
      await pg.db.transaction((tx) => appendToOutbox(tx, [entry("d")]));
    });
    expect(drained).toBe(2);
    expect(sent).toEqual([["a", "b"]]);
    expect(await store.drain(10, async (entries) => void sent.push(titles(entries)))).toBe(2);
    expect(sent).toEqual([
      ["a", "b"],
      ["c", "d"],
    ]);
    expect(await pg.db.select().from(outbox)).toEqual([]);
  });

  test("a drain whose send fails deletes nothing", async () => {
    await using pg = await outboxDatabase();
    const store = createOutboxStore(pg.db);
    await pg.db.transaction((tx) => appendToOutbox(tx, [entry("a")]));
    const failing = store.drain(10, async () => {
      throw new Error("Kafka is down");
    });
    await expect(failing).rejects.toThrow("Kafka is down");
    expect((await pg.db.select().from(outbox)).length).toBe(1);
  });

  test("a commit that appended notifies the relays once; a rolled-back append neither notifies nor stays", async () => {
    await using pg = await outboxDatabase();
    const payloads: string[] = [];
    const listener = await pg.sql.listen(OUTBOX_CHANNEL, (payload) => {
      payloads.push(payload);
    });
    try {
      await pg.db.transaction((tx) => appendToOutbox(tx, ["a", "b", "c"].map(entry)));
      const rolledBack = pg.db.transaction(async (tx) => {
        await appendToOutbox(tx, [entry("d")]);
        throw new Error("the change failed");
      });
      await expect(rolledBack).rejects.toThrow("the change failed");
      // Notifications arrive in commit order: once this marker is in, whatever the two made is too.
      await pg.sql`select pg_notify(${OUTBOX_CHANNEL}, 'marker')`;
      await eventually(async () => payloads.includes("marker"), { what: "the marker notification" });
      expect(payloads).toEqual(["", "marker"]);
      const rows = await pg.db.select().from(outbox).orderBy(outbox.id);
      expect(titles(rows as OutboxEntry[])).toEqual(["a", "b", "c"]);
    } finally {
      await listener.unlisten();
    }
  });
});
