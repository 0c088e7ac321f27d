import { z } from "@hono/zod-openapi";

/** Where a page ends: the last item's time and id. The next page starts strictly after it. */
export interface Keyset {
  at: Date;
  id: string;
}

// Ids as the services issue them (UUIDs, base64url); nothing else reaches a query.
const idPattern = /^[A-Za-z0-9_-]{1,64}$/;
/** Four-digit years 1000..9999 only: JavaScript dates reach years PostgreSQL rejects (a 500, not a 400). */
const isoTime = /^[1-9]\d{3}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/**
 * The opaque `nextCursor`: base64url of `[time, id]` of a page's last item. A forged cursor can only seek to
 * another position of the caller's own list; it is still validated strictly, so anything this API did not
 * produce is a 400 rather than a query.
 */
export function encodeCursor({ at, id }: Keyset): string {
  return Buffer.from(JSON.stringify([at.toISOString(), id])).toString("base64url");
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
  if (typeof time !== "string" || typeof id !== "string" || !idPattern.test(id) || !isoTime.test(time)) return null;
  const at = new Date(time);
  // Only the exact form encodeCursor writes: no other date syntax, no loss of precision.
  if (Number.isNaN(at.getTime()) || at.toISOString() !== time) return null;
  return { at, id };
}

/** `?limit&cursor` of every list: 1..100 items (20 by default), after the previous page's `nextCursor`. */
export const PageQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20).openapi({ example: 20 }),
  cursor: z
    .string()
    .refine((cursor) => decodeCursor(cursor) !== null, "is not a cursor this service issued")
    .optional()
    .openapi({ description: "`nextCursor` of the previous page" }),
});

/** The envelope of every list: one page of `item`s, and the cursor of the next (null on the last). */
export const pageOf = <T extends z.ZodType>(item: T, name: string) =>
  z.object({ items: z.array(item), nextCursor: z.string().nullable() }).openapi(name);

/**
 * A page from `limit + 1` rows read after the cursor: the extra row only tells that another page exists,
 * without a count.
 */
export function page<T>(rows: readonly T[], limit: number, keysetOf: (row: T) => Keyset) {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(keysetOf(last)) : null };
}
