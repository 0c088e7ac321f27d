// The ceiling for a DB-backed page: raw Bun.serve + raw postgres.js running the very statement the post
// service's store runs (taken from its query builder), with the same response shape and cursor.
import { decodeCursor, encodeCursor } from "@chirp/platform/paging";
import { connectDb, pageQuery } from "@chirp/post/testing";

// The same pool size as the service's default (DATABASE_POOL_MAX).
const { sql, db } = connectDb(process.env.DATABASE_URL ?? "", 10);
const first = pageQuery(db, { limit: 21 }).toSQL();
const after = pageQuery(db, { limit: 21, after: { createdAt: new Date(0), id: crypto.randomUUID() } }).toSQL();

interface Row {
  id: string;
  title: string;
  content: string;
  // Text, as drizzle's postgres-js driver configures the pool; drizzle turns it into a Date, so do we.
  created_at: string;
  updated_at: string;
  author_id: string;
  name: string | null;
}

const server = Bun.serve({
  hostname: "127.0.0.1",
  port: Number(process.env.PORT ?? 0),
  async fetch(req) {
    const url = new URL(req.url);
    const limit = Number(url.searchParams.get("limit") ?? 20);
    const cursor = url.searchParams.get("cursor");
    const keyset = cursor ? decodeCursor(cursor) : null;
    const rows = (await (keyset
      ? sql.unsafe(after.sql, [keyset.at.toISOString(), keyset.id, limit + 1], { prepare: true })
      : sql.unsafe(first.sql, [limit + 1], { prepare: true }))) as unknown as Row[];
    const items = rows.slice(0, limit).map((row) => ({
      id: row.id,
      title: row.title,
      content: row.content,
      createdAt: new Date(row.created_at).toISOString(),
      updatedAt: new Date(row.updated_at).toISOString(),
      author: { id: row.author_id, name: row.name },
    }));
    const last = rows.length > limit ? rows[limit - 1] : undefined;
    return Response.json({
      items,
      nextCursor: last ? encodeCursor({ at: new Date(last.created_at), id: last.id }) : null,
    });
  },
});
console.log(server.url.href);
