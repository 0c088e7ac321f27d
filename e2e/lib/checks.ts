/** Reads of the system's state the scenarios compare against what they did. */
import type postgres from "postgres";
import type { Client } from "./client.ts";

/** The post service's authors projection: id -> name, tombstoned rows left out. */
export async function authorsProjection(sql: postgres.Sql) {
  const rows = await sql<{ id: string; name: string }[]>`select id, name from authors where deleted_at is null`;
  return new Map(rows.map((row) => [row.id, row.name]));
}

export async function countRows(sql: postgres.Sql, table: "posts" | "authors" | "outbox" | "processed_events") {
  const [row] = await sql<{ n: number }[]>`select count(*)::int as n from ${sql(table)}`;
  return row?.n ?? 0;
}

export interface ListedPost {
  id: string;
  author: { id: string; name: string };
}

/** Every post through the public API, page by page (limit 100). */
export async function listAllPosts(post: Client) {
  const all: ListedPost[] = [];
  let cursor: string | null = null;
  do {
    const query: string = cursor ? `&cursor=${cursor}` : "";
    const res = await post.get(`/api/posts?limit=100${query}`);
    if (res.status !== 200) throw new Error(`GET /api/posts answered ${res.status}`);
    all.push(...(res.body.items as ListedPost[]));
    cursor = res.body.nextCursor;
  } while (cursor);
  return all;
}

/** Publishes a post; throws unless 201. */
export async function createPost(post: Client, token: string, title: string) {
  const res = await post.call("POST", "/api/posts", { body: { title, content: `content of ${title}` }, token });
  if (res.status !== 201) throw new Error(`POST /api/posts answered ${res.status}: ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}
