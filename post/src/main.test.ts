import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { desc, eq } from "drizzle-orm";
import { authors, posts } from "./schema.ts";
import { pageQuery } from "./stores/post-store.ts";
import { startTestService } from "./testing/index.ts";

describe("the post service on its real listener", () => {
  let service: Awaited<ReturnType<typeof startTestService>>;
  beforeAll(async () => {
    service = await startTestService();
  });
  afterAll(() => service[Symbol.asyncDispose]());

  test("is alive and ready when PostgreSQL and Kafka answer", async () => {
    expect((await fetch(new URL("/healthz", service.url))).status).toBe(200);
    const ready = await fetch(new URL("/readyz", service.url));
    expect(await ready.json()).toEqual({
      status: "ok",
      checks: { postgres: "ok", kafka: "ok", outbox: "ok", consumers: "ok" },
    });
    expect(ready.status).toBe(200);
  });

  test("answers an unknown route with a JSON 404", async () => {
    const res = await fetch(new URL("/api/nothing-here", service.url));
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
  });

  test("describes the events it produces: post-events only", async () => {
    const res = await fetch(new URL("/asyncapi.json", service.url));
    const doc = (await res.json()) as { channels: Record<string, unknown> };
    expect(Object.keys(doc.channels)).toEqual(["post-events"]);
  });

  test("has migrated the database: posts join their authors", async () => {
    const { db } = service;
    const id = crypto.randomUUID();
    await db.insert(authors).values({ id: "u1", name: "Ada", updatedAt: new Date() });
    await db.insert(posts).values({ id, authorId: "u1", title: "Hello", content: "First post" });
    const rows = await db
      .select({ id: posts.id, title: posts.title, author: authors.name })
      .from(posts)
      .innerJoin(authors, eq(authors.id, posts.authorId))
      .orderBy(desc(posts.createdAt));
    expect(rows).toEqual([{ id, title: "Hello", author: "Ada" }]);
  });

  test("serves newest-first pages from the keyset indexes, never by sorting the table", async () => {
    const plans: string[] = [];
    const queries = [
      pageQuery(service.db, { limit: 21 }),
      pageQuery(service.db, { limit: 21, after: { createdAt: new Date(), id: crypto.randomUUID() } }),
      pageQuery(service.db, { limit: 21, authorId: "u1", after: { createdAt: new Date(), id: crypto.randomUUID() } }),
    ];
    await service.sql.begin(async (tx) => {
      // A tiny table would be sorted anyway; forbid the shortcuts so only a matching index avoids a Sort.
      await tx`set local enable_seqscan = off`;
      await tx`set local enable_sort = off`;
      for (const query of queries) {
        const { sql, params } = query.toSQL();
        const rows = await tx.unsafe(`explain ${sql}`, params as string[]);
        plans.push(rows.map((row) => Object.values(row)[0]).join("\n"));
      }
    });
    for (const plan of plans) {
      expect(plan).toContain("Index Scan Backward using posts_");
      expect(plan).not.toContain("Sort");
    }
  });

  test("migrating again is a no-op (a second instance starting on the same database)", async () => {
    const { migrateDb } = await import("./db.ts");
    await migrateDb(service.config.DATABASE_URL);
    const [{ count }] = (await service.sql`select count(*)::int as count from drizzle.__drizzle_migrations`) as [
      { count: number },
    ];
    const journal = (await Bun.file(new URL("../drizzle/meta/_journal.json", import.meta.url)).json()) as {
      entries: unknown[];
    };
    expect(count).toBe(journal.entries.length);
  });
});
