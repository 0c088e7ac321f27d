import { describe, expect, test } from "bun:test";
import { createCachedDirectory } from "./cached-directory.ts";
import type { AuthorRef, UserDirectory } from "./user-directory.ts";

function countingDirectory(known: string[]) {
  const calls: string[][] = [];
  const directory: UserDirectory = {
    async lookup(ids) {
      calls.push([...ids]);
      return new Map<string, AuthorRef>(ids.filter((id) => known.includes(id)).map((id) => [id, { id, name: id }]));
    },
  };
  return { directory, calls };
}

describe("the cached directory", () => {
  test("asks once for all misses, then answers hits from memory until they expire", async () => {
    let now = 0;
    const { directory, calls } = countingDirectory(["a", "b"]);
    const cached = createCachedDirectory(directory, { ttlMs: 1000, maxEntries: 10, now: () => now });
    expect([...(await cached.lookup(["a", "b", "a"])).keys()]).toEqual(["a", "b"]);
    await cached.lookup(["a", "b"]);
    now = 1001;
    await cached.lookup(["a"]);
    expect(calls).toEqual([["a", "b"], ["a"]]);
  });

  test("does not remember unknown users, and evicts the least recently used beyond its size", async () => {
    const { directory, calls } = countingDirectory(["a", "b", "c"]);
    const cached = createCachedDirectory(directory, { ttlMs: 60_000, maxEntries: 2 });
    await cached.lookup(["a", "b", "ghost"]);
    await cached.lookup(["a"]); // a is now more recent than b
    await cached.lookup(["c"]); // evicts b
    await cached.lookup(["a", "b", "ghost"]);
    expect(calls).toEqual([["a", "b", "ghost"], ["c"], ["b", "ghost"]]);
  });
});
