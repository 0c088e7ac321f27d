import { describe, expect, test } from "bun:test";
import { createLogger } from "../logger.ts";
import { type CommitSource, offsetCommits } from "./offset-commits.ts";

/**
 * A member's offsets as kafkajs keeps them: `resolve` moves a partition on, a commit sends what moved and
 * answers after `ms`. Records each commit's offsets and refuses the first `failures` commits.
 */
function member({ ms = 5, failures = 0 } = {}) {
  const resolved = new Map<number, string>();
  const committed = new Map<number, string>();
  const commits: Record<number, string>[] = [];
  let inFlight = 0;
  let mostInFlight = 0;
  const source: CommitSource = {
    uncommittedOffsets: () => ({
      topics: [
        {
          topic: "t",
          partitions: [...resolved]
            .filter(([partition, offset]) => committed.get(partition) !== offset)
            .map(([partition, offset]) => ({ partition, offset })),
        },
      ],
    }),
    async commitOffsetsIfNecessary(offsets) {
      const partitions = offsets?.topics[0]?.partitions ?? [];
      inFlight++;
      mostInFlight = Math.max(mostInFlight, inFlight);
      commits.push(Object.fromEntries(partitions.map(({ partition, offset }) => [partition, offset])));
      await Bun.sleep(ms);
      inFlight--;
      if (failures-- > 0) throw new Error("coordinator moved");
      for (const { partition, offset } of partitions) committed.set(partition, offset);
    },
  };
  return {
    source,
    resolve: (partition: number, offset: number) => void resolved.set(partition, String(offset)),
    commits,
    committed: () => Object.fromEntries(committed),
    mostInFlight: () => mostInFlight,
  };
}

const logger = createLogger("offset-commits-test", "silent");

describe("offsetCommits", () => {
  test("a request with nothing in flight commits at once, without the caller waiting for it", async () => {
    const { source, resolve, commits, committed } = member();
    const offsets = offsetCommits(logger, "g");
    resolve(0, 4);
    offsets.request(source);
    expect(commits).toEqual([{ 0: "4" }]);
    expect(committed()).toEqual({});
    await offsets.flush();
    expect(committed()).toEqual({ 0: "4" });
  });

  test("requests made while a commit flies fold into one more, carrying everything resolved by then", async () => {
    const { source, resolve, commits, committed, mostInFlight } = member();
    const offsets = offsetCommits(logger, "g");
    resolve(0, 1);
    offsets.request(source);
    for (const [partition, offset] of [
      [1, 7],
      [2, 3],
      [0, 2],
    ] as const) {
      resolve(partition, offset);
      offsets.request(source);
    }
    await offsets.flush();
    expect(commits).toEqual([{ 0: "1" }, { 0: "2", 1: "7", 2: "3" }]);
    expect(committed()).toEqual({ 0: "2", 1: "7", 2: "3" });
    expect(mostInFlight()).toBe(1);
  });

  test("a failed commit leaves its offsets to the next one, and later requests still commit", async () => {
    const { source, resolve, commits, committed } = member({ failures: 1 });
    const offsets = offsetCommits(logger, "g");
    resolve(0, 5);
    offsets.request(source);
    await offsets.flush();
    expect(committed()).toEqual({});
    resolve(1, 2);
    offsets.request(source);
    await offsets.flush();
    expect(commits).toEqual([{ 0: "5" }, { 0: "5", 1: "2" }]);
    expect(committed()).toEqual({ 0: "5", 1: "2" });
  });

  test("flush with nothing requested settles at once", async () => {
    const { commits } = member();
    await offsetCommits(logger, "g").flush();
    expect(commits).toEqual([]);
  });
});
