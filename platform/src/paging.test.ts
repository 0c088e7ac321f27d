import { describe, expect, test } from "bun:test";
import { decodeCursor, encodeCursor, page } from "./paging.ts";

const keyset = { at: new Date("2026-11-22T10:00:00.123Z"), id: "0190b1e2-7c3a-7d4e-8f00-0123456789ab" };

describe("the page cursor", () => {
  test("reads back exactly what it wrote", () => {
    expect(decodeCursor(encodeCursor(keyset))).toEqual(keyset);
  });

  test("refuses anything it did not write", () => {
    const forge = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
    const cursors = [
      "",
      "not base64!",
      forge({ at: keyset.at, id: keyset.id }),
      forge(["2026-11-22", keyset.id]),
      forge(["2026-11-22T10:00:00.123Z", "1 or 1=1"]),
      forge(["2026-11-22T10:00:00.123Z", keyset.id, "extra"]),
      `${encodeCursor(keyset)}x`,
    ];
    expect(cursors.map(decodeCursor)).toEqual(cursors.map(() => null));
  });

  test("refuses dates PostgreSQL cannot compare (they answered 500, found by e2e/hostile/malformed-input)", () => {
    const forge = (time: string) => Buffer.from(JSON.stringify([time, keyset.id])).toString("base64url");
    const cursors = ["+275760-09-13T00:00:00.000Z", "-271821-04-20T00:00:00.000Z", "0000-01-01T00:00:00.000Z"];
    expect(cursors.map((time) => decodeCursor(forge(time)))).toEqual([null, null, null]);
  });

  test("a page of limit + 1 rows has a next cursor at its last item; a shorter one has none", () => {
    const rows = [1, 2, 3].map((n) => ({ at: new Date(n * 1000), id: `id${n}` }));
    expect(page(rows, 2, (row) => row)).toEqual({
      items: rows.slice(0, 2),
      nextCursor: encodeCursor({ at: new Date(2000), id: "id2" }),
    });
    expect(page(rows, 3, (row) => row)).toEqual({ items: rows, nextCursor: null });
  });
});
