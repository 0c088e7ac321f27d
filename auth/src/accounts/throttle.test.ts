import { describe, expect, test } from "bun:test";
import type { LoginFailure } from "../stores/login-failure-store.ts";
import { type AttemptFacts, claimAttempt, retryAfterSeconds } from "./throttle.ts";

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
  const store: AttemptFacts = {
    record: async (failure) => void facts.set(failure.id, failure),
    remove: async (id) => void facts.delete(id),
    recent: async (by, since, limit) =>
      [...facts.values()]
        .filter(
          (f) =>
            (!("email" in by) || f.email === by.email) &&
            (!("address" in by) || f.address === by.address) &&
            f.at > since,
        )
        .sort((a, b) => b.at.getTime() - a.at.getTime())
        .slice(0, limit)
        .map(({ id, at }) => ({ id, at })),
  };
  return { store, ids: () => [...facts.keys()].sort() };
}

const limits = { windowMs: window, perAccount: 3, perAddress: 5, accountSlowdownAfter: 4, accountSlowdownMs: 500 };
let n = 0;
const attacker = "198.51.100.9";
const attempt = (secondsAgo: number, email = "ada@example.com", address = attacker) => ({
  id: `a${++n}`,
  email,
  address,
  at: ago(secondsAgo),
});
const waitOf = async (store: AttemptFacts, a: LoginFailure) => (await claimAttempt(store, limits, a)).wait;

describe("claimAttempt", () => {
  test("lets attempts at an account from one address through up to the limit and keeps each one's fact", async () => {
    const { store, ids } = memoryStore();
    const first = [attempt(30), attempt(20), attempt(10)];
    for (const a of first) expect(await waitOf(store, a)).toBe(0);
    expect(ids()).toEqual(first.map((a) => a.id).sort());
  });

  test("refuses that address past the limit until the limit-th newest leaves the window, and drops its fact", async () => {
    const { store, ids } = memoryStore();
    const first = [attempt(30), attempt(20), attempt(10)];
    for (const a of first) await claimAttempt(store, limits, a);
    expect(await waitOf(store, attempt(0))).toBe(30);
    expect(ids()).toEqual(first.map((a) => a.id).sort());
  });

  test("never refuses the account's owner from another address: no lockout by strangers", async () => {
    const { store } = memoryStore();
    for (const s of [30, 20, 10]) await claimAttempt(store, limits, attempt(s));
    expect(await waitOf(store, attempt(1))).toBeGreaterThan(0);
    expect(await waitOf(store, attempt(0, "ada@example.com", "203.0.113.5"))).toBe(0);
  });

  test("does not extend the wait of a throttled address however often it tries", async () => {
    const { store } = memoryStore();
    for (const s of [30, 20, 10]) await claimAttempt(store, limits, attempt(s));
    // Every refusal points at the same moment (the oldest of the three leaving the window): not later.
    for (const s of [5, 4, 3, 2, 1]) expect(await waitOf(store, attempt(s))).toBe(30 + s);
  });

  test("lets no more than the limit through when attempts from one address race", async () => {
    const { store, ids } = memoryStore();
    const waits = await Promise.all(Array.from({ length: 10 }, () => waitOf(store, attempt(0))));
    const passed = waits.filter((wait) => wait === 0).length;
    expect(passed).toBeLessThanOrEqual(limits.perAccount);
    expect(ids().length).toBe(passed);
  });

  test("throttles an address across accounts", async () => {
    const { store } = memoryStore();
    const address = "192.0.2.7";
    for (let i = 0; i < 5; i++) expect(await waitOf(store, attempt(50 - i, `u${i}@x.org`, address))).toBe(0);
    expect(await waitOf(store, attempt(0, "other@x.org", address))).toBe(10);
  });

  test("slows every check of an account that draws failures from many addresses, and refuses none", async () => {
    const { store } = memoryStore();
    const from = (i: number) => `10.1.0.${i}`;
    const outcomes = [];
    for (let i = 0; i < 6; i++)
      outcomes.push(await claimAttempt(store, limits, attempt(20 - i, "ada@example.com", from(i))));
    expect(outcomes.map((o) => o.wait)).toEqual([0, 0, 0, 0, 0, 0]);
    expect(outcomes.map((o) => o.delayMs)).toEqual([0, 0, 0, 0, 500, 500]);
  });

  test("says the account's throttle tripped when its limit from one address or its slowdown is reached, not the address's", async () => {
    const tripped = async (store: AttemptFacts, a: LoginFailure) =>
      (await claimAttempt(store, limits, a)).accountTripped;
    const account = memoryStore();
    const byAddress = [];
    for (let i = 0; i < 4; i++) byAddress.push(await tripped(account.store, attempt(30 - i)));
    expect(byAddress).toEqual([false, false, false, true]);

    const everywhere = memoryStore();
    const byAccount = [];
    for (let i = 0; i < 5; i++)
      byAccount.push(await tripped(everywhere.store, attempt(30 - i, "bo@x.org", `10.2.0.${i}`)));
    expect(byAccount).toEqual([false, false, false, false, true]);

    const spray = memoryStore();
    const acrossAccounts = [];
    for (let i = 0; i < 6; i++)
      acrossAccounts.push(await tripped(spray.store, attempt(30 - i, `u${i}@x.org`, "192.0.2.8")));
    expect(acrossAccounts).toEqual([false, false, false, false, false, false]);
  });
});
