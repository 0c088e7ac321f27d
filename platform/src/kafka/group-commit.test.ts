import { describe, expect, test } from "bun:test";
import { groupCommit } from "./group-commit.ts";

/**
 * A store whose writes finish a turn of the event loop later (so callers can submit meanwhile), recording each
 * call's items, refusing items named "poison".
 */
function slowStore() {
  const calls: string[][] = [];
  let inFlight = 0;
  let mostInFlight = 0;
  const apply = async (items: readonly string[]) => {
    inFlight++;
    mostInFlight = Math.max(mostInFlight, inFlight);
    calls.push([...items]);
    await new Promise(setImmediate);
    inFlight--;
    if (items.includes("poison")) throw new Error("refused");
  };
  return { apply, calls, mostInFlight: () => mostInFlight };
}

describe("groupCommit", () => {
  test("a caller alone gets a call of its own, at once", async () => {
    const store = slowStore();
    const commit = groupCommit(store.apply);
    await commit(["a"]);
    await commit(["b", "c"]);
    expect(store.calls).toEqual([["a"], ["b", "c"]]);
  });

  test("what is submitted while a call is in flight goes in one next call, and calls never overlap", async () => {
    const store = slowStore();
    const commit = groupCommit(store.apply);
    const first = commit(["a"]);
    const others = [commit(["b"]), commit(["c", "d"]), commit(["e"])];
    await Promise.all([first, ...others]);
    expect(store.calls).toEqual([["a"], ["b", "c", "d", "e"]]);
    expect(store.mostInFlight()).toBe(1);
  });

  test("a failed shared call is redone per caller, so only the caller with the bad item fails", async () => {
    const store = slowStore();
    const commit = groupCommit(store.apply);
    const first = commit(["a"]);
    const [good, bad, alsoGood] = [commit(["b"]), commit(["poison", "c"]), commit(["d"])];
    await first;
    expect(await good).toBeUndefined();
    await expect(bad).rejects.toThrow("refused");
    expect(await alsoGood).toBeUndefined();
    expect(store.calls).toEqual([["a"], ["b", "poison", "c", "d"], ["b"], ["poison", "c"], ["d"]]);
    // Later callers are not held up by the failure.
    await commit(["e"]);
    expect(store.calls.at(-1)).toEqual(["e"]);
  });

  test("a caller alone whose call fails gets the error once, with no second try", async () => {
    const store = slowStore();
    const commit = groupCommit(store.apply);
    await expect(commit(["poison"])).rejects.toThrow("refused");
    // Calls never overlap and go in order: a second try would come before this next call.
    await commit(["next"]);
    expect(store.calls).toEqual([["poison"], ["next"]]);
  });
});
