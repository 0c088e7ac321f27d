import { describe, expect, test } from "bun:test";
import type { LoginFailure, LoginFailureStore } from "./stores/login-failure-store.ts";
import { claimAttempt, retryAfterSeconds } from "./throttle.ts";

const now = 1_000_000_000;
const ago = (seconds: number) => new Date(now - seconds * 1000);
const window = 60_000;

describe("retryAfterSeconds", () => {
  test("is 0 while fewer than the limit failed within the window", () => {
    expect(retryAfterSeconds([ago(1), ago(2)], 3, window, now)).toBe(0);
  });

  test("ignores failures older than the window", () => {
    expect(retryAfterSeconds([ago(1), ago(2), ago(61)], 3, window, now)).toBe(0);
  });

  test("waits until the limit-th newest failure leaves the window", () => {
    expect(retryAfterSeconds([ago(1), ago(10), ago(20)], 3, window, now)).toBe(40);
    expect(retryAfterSeconds([ago(1), ago(10), ago(20), ago(30)], 3, window, now)).toBe(40);
  });

  test("never answers less than one second once throttled", () => {
    expect(retryAfterSeconds([ago(59.9)], 1, window, now)).toBe(1);
  });
});

/** The store's contract in memory: facts by id, newest first. */
function memoryStore() {
  const facts = new Map<string, LoginFailure>();
  const store: LoginFailureStore = {
    record: async (failure) => void facts.set(failure.id, failure),
    remove: async (id) => void facts.delete(id),
    recent: async (by, since, limit) =>
      [...facts.values()]
        .filter((f) => ("email" in by ? f.email === by.email : f.address === by.address) && f.at > since)
        .sort((a, b) => b.at.getTime() - a.at.getTime())
        .slice(0, limit)
        .map(({ id, at }) => ({ id, at })),
    forgetAccount: async (email) => {
      for (const [id, f] of facts) if (f.email === email) facts.delete(id);
    },
    purge: async () => {},
  };
  return { store, ids: () => [...facts.keys()].sort() };
}

const limits = { windowMs: window, perAccount: 3, perAddress: 5 };
let n = 0;
const attempt = (secondsAgo: number, email = "ada@example.com", address = `10.0.0.${++n}`) => ({
  id: `a${++n}`,
  email,
  address,
  at: ago(secondsAgo),
});

describe("claimAttempt", () => {
  test("lets attempts through up to the limit and keeps each one's fact", async () => {
    const { store, ids } = memoryStore();
    const first = [attempt(30), attempt(20), attempt(10)];
    for (const a of first) expect(await claimAttempt(store, limits, a)).toBe(0);
    expect(ids()).toEqual(first.map((a) => a.id).sort());
  });

  test("refuses the attempt past the limit until the limit-th newest other leaves the window, and drops its fact", async () => {
    const { store, ids } = memoryStore();
    const first = [attempt(30), attempt(20), attempt(10)];
    for (const a of first) await claimAttempt(store, limits, a);
    expect(await claimAttempt(store, limits, attempt(0))).toBe(30);
    expect(ids()).toEqual(first.map((a) => a.id).sort());
  });

  test("does not extend the wait of a throttled account however often it is tried", async () => {
    const { store } = memoryStore();
    for (const s of [30, 20, 10]) await claimAttempt(store, limits, attempt(s));
    // Every refusal points at the same moment (the oldest of the three leaving the window): not later.
    for (const s of [5, 4, 3, 2, 1]) expect(await claimAttempt(store, limits, attempt(s))).toBe(30 + s);
  });

  test("lets no more than the limit through when attempts race", async () => {
    const { store, ids } = memoryStore();
    const waits = await Promise.all(Array.from({ length: 10 }, () => claimAttempt(store, limits, attempt(0))));
    const passed = waits.filter((wait) => wait === 0).length;
    expect(passed).toBeLessThanOrEqual(limits.perAccount);
    expect(ids().length).toBe(passed);
  });

  test("throttles an address across accounts", async () => {
    const { store } = memoryStore();
    const address = "192.0.2.7";
    for (let i = 0; i < 5; i++)
      expect(await claimAttempt(store, limits, attempt(50 - i, `u${i}@x.org`, address))).toBe(0);
    expect(await claimAttempt(store, limits, attempt(0, "other@x.org", address))).toBe(10);
  });
});
