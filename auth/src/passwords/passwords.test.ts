import { describe, expect, test } from "bun:test";
import { createPasswordHasher } from "./hasher.ts";
import { createLimiter, OverloadedError } from "./limiter.ts";
import { Password } from "./policy.ts";

describe("password policy", () => {
  test("accepts 8 to 128 characters of anything, counted as characters not bytes", () => {
    expect(Password.safeParse("12345678").success).toBe(true);
    expect(Password.safeParse("🔑".repeat(128)).success).toBe(true);
    expect(Password.safeParse("p".repeat(128)).success).toBe(true);
  });

  test("refuses 7 and 129 characters", () => {
    expect(Password.safeParse("1234567").success).toBe(false);
    expect(Password.safeParse("p".repeat(129)).success).toBe(false);
  });
});

describe("createLimiter", () => {
  test("runs at most `concurrency` tasks, queues `queue` more and refuses the rest at once", async () => {
    const limiter = createLimiter(2, 1);
    const gates: (() => void)[] = [];
    const task = () => new Promise<void>((resolve) => gates.push(resolve));
    const admitted = [limiter.run(task), limiter.run(task), limiter.run(task)];
    expect(limiter.stats()).toEqual({ running: 2, queued: 1 });
    await expect(limiter.run(task)).rejects.toBeInstanceOf(OverloadedError);
    while (gates.length > 0 || limiter.stats().running > 0) {
      gates.shift()?.();
      await Bun.sleep(0);
    }
    await Promise.all(admitted);
    expect(limiter.stats()).toEqual({ running: 0, queued: 0 });
  });

  test("frees the slot when a task fails", async () => {
    const limiter = createLimiter(1, 0);
    await expect(limiter.run(() => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await limiter.run(async () => 42)).toBe(42);
  });
});

describe("createPasswordHasher", () => {
  const hasher = createPasswordHasher({ concurrency: 2, queue: 2 });

  test("hashes with argon2id and verifies only the same password, untruncated", async () => {
    const long = "p".repeat(128);
    const hash = await hasher.hash(long);
    expect(hash).toStartWith("$argon2id$v=19$m=19456,t=2,p=1$");
    expect(await hasher.verify(long, hash)).toBe(true);
    expect(await hasher.verify(long.slice(0, 127), hash)).toBe(false);
  });

  test("answers false without a hash, after doing the same work", async () => {
    expect(await hasher.verify("anything", null)).toBe(false);
  });

  test("is saturated exactly while admit would refuse: concurrency + queue requests in", async () => {
    const small = createPasswordHasher({ concurrency: 1, queue: 1 });
    const releases: (() => void)[] = [];
    const hold = () => small.admit(() => new Promise<void>((resolve) => releases.push(resolve)));
    const first = hold();
    expect(small.saturated()).toBe(false);
    const second = hold();
    expect(small.saturated()).toBe(true);
    expect(small.admit(async () => "third")).rejects.toThrow("busy");
    for (const release of releases) release();
    await Promise.all([first, second]);
    expect(small.saturated()).toBe(false);
  });

  test("counts its refusals, by admit and by the callers' refusal(), and reports its queue", async () => {
    const small = createPasswordHasher({ concurrency: 1, queue: 1 });
    const releases: (() => void)[] = [];
    const hold = () => small.admit(() => new Promise<void>((resolve) => releases.push(resolve)));
    const held = [hold(), hold()];
    await expect(small.admit(async () => "third")).rejects.toThrow("busy");
    expect(small.refusal().status).toBe(503);
    expect(small.stats()).toEqual({ running: 0, queued: 0, refused: 2 });
    for (const release of releases) release();
    await Promise.all(held);
    const hashes = [small.hash("a"), small.hash("b")];
    expect(small.stats()).toMatchObject({ running: 1, queued: 1 });
    await Promise.all(hashes);
  });
});
