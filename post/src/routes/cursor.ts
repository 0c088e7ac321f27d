import type { Keyset } from "../post-store.ts";

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * The opaque `nextCursor`: base64url of `[createdAt, id]` of a page's last post. Posts are public, so a
 * forged cursor can only seek to another position; it is still validated strictly, so anything this
 * service did not produce is a 400 rather than a query.
 */
export function encodeCursor({ createdAt, id }: Keyset): string {
  return Buffer.from(JSON.stringify([createdAt.toISOString(), id])).toString("base64url");
}

export function decodeCursor(cursor: string): Keyset | null {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) return null;
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    return null;
  }
  if (!Array.isArray(value) || value.length !== 2) return null;
  const [time, id] = value as unknown[];
  if (typeof time !== "string" || typeof id !== "string" || !uuid.test(id)) return null;
  const createdAt = new Date(time);
  // Only the exact form encodeCursor writes: no other date syntax, no loss of precision.
  if (Number.isNaN(createdAt.getTime()) || createdAt.toISOString() !== time) return null;
  return { createdAt, id };
}
