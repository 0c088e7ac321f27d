import { describe, expect, test } from "bun:test";
import { createKeyCipher } from "./key-cipher.ts";
import { createKeyRing } from "./key-ring.ts";
import type { KeyStore, StoredKey } from "./key-store.ts";

/** The store's contract in memory: generation is unique, like the Mongo unique index. */
function memoryStore(): KeyStore & { keys: StoredKey[] } {
  const keys: StoredKey[] = [];
  return {
    keys,
    latest: async (limit) => [...keys].sort((a, b) => b.generation - a.generation).slice(0, limit),
    insert: async (key) => {
      if (keys.some((existing) => existing.generation === key.generation)) return false;
      keys.push(key);
      return true;
    },
    remove: async (kid) => {
      const index = keys.findIndex((key) => key.kid === kid);
      if (index >= 0) keys.splice(index, 1);
    },
  };
}

const hour = 3_600_000;
const ttl = 15 * 60_000;

async function ringOn(store: KeyStore, clock: { now: number }, secret = "a secret of at least thirty-two chars!!") {
  return createKeyRing({
    store,
    cipher: await createKeyCipher(secret),
    rotationMs: 24 * hour,
    tokenTtlMs: ttl,
    now: () => clock.now,
  });
}

describe("createKeyRing", () => {
  test("creates the first key on sync and seals its private half", async () => {
    const store = memoryStore();
    const ring = await ringOn(store, { now: 0 });
    await ring.sync();
    expect(store.keys).toHaveLength(1);
    expect(JSON.stringify(store.keys[0])).not.toContain('"d"');
    expect(ring.jwks().keys.map((key) => key.kid)).toEqual([store.keys[0]?.kid]);
  });

  test("two instances starting together agree on one current key", async () => {
    const store = memoryStore();
    const clock = { now: 0 };
    const [a, b] = [await ringOn(store, clock), await ringOn(store, clock)];
    await Promise.all([a.sync(), b.sync()]);
    expect(store.keys).toHaveLength(1);
    expect((await a.signingKey()).kid).toBe((await b.signingKey()).kid);
  });

  test("rotates when the current key is due, keeps the retired one published until its tokens expired", async () => {
    const store = memoryStore();
    const clock = { now: 0 };
    const ring = await ringOn(store, clock);
    await ring.sync();
    const first = (await ring.signingKey()).kid;
    clock.now = 24 * hour;
    await ring.sync();
    const second = (await ring.signingKey()).kid;
    expect(second).not.toBe(first);
    expect(ring.jwks().keys.map((key) => key.kid)).toEqual([second, first]);
    expect(await ring.verificationKey(first)).not.toBeNull();
    clock.now += ttl + 10 * 60_000;
    await ring.sync();
    expect(ring.jwks().keys.map((key) => key.kid)).toEqual([second]);
    expect(await ring.verificationKey(first)).toBeNull();
    expect(store.keys.map((key) => key.kid)).toEqual([second]);
  });

  test("finds a key another instance created, on the first token that names it", async () => {
    const store = memoryStore();
    const clock = { now: 0 };
    const [a, b] = [await ringOn(store, clock), await ringOn(store, clock)];
    await a.sync();
    await b.sync();
    clock.now += 5000;
    await a.rotate();
    expect(await b.verificationKey((await a.signingKey()).kid)).not.toBeNull();
  });

  test("cannot open keys sealed under another secret", async () => {
    const store = memoryStore();
    await (await ringOn(store, { now: 0 })).sync();
    const other = await ringOn(store, { now: 0 }, "another secret of at least thirty-two chars");
    await expect(other.sync()).rejects.toThrow();
  });
});
