import type { Keyset } from "../stores/post-store.ts";

const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
/** Four-digit years 1000..9999 only: JavaScript dates reach years PostgreSQL rejects (a 500, not a 400). */
const isoTime = /^[1-9]\d{3}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

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
  if (typeof time !== "string" || typeof id !== "string" || !uuid.test(id) || !isoTime.test(time)) return null;
  const createdAt = new Date(time);
  // Only the exact form encodeCursor writes: no other date syntax, no loss of precision.
  if (Number.isNaN(createdAt.getTime()) || createdAt.toISOString() !== time) return null;
  return { createdAt, id };
}
