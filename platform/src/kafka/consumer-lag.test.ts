import { describe, expect, test } from "bun:test";
import { uniqueName } from "../testing.ts";
import { consumerLag } from "./consumer-lag.ts";
import { useTestBroker } from "./test-broker.ts";

const broker = useTestBroker("consumer-lag-test");

describe("consumerLag, against the real broker", () => {
  test("is a partition's end minus the group's committed offset, the whole partition before any commit", async () => {
    const { topic } = await broker.freshTopics(undefined, 2);
    await broker.producer.send({
      topic,
      messages: ["a", "b", "c", "d", "e"].map((value) => ({ value, partition: 0 })),
    });
    const groupId = uniqueName("g");
    const byPartition = async () =>
      (await consumerLag(broker.admin, groupId, [topic]))
        .map(({ partition, lag }) => [partition, lag])
        .sort(([a], [b]) => (a as number) - (b as number));
    expect(await byPartition()).toEqual([
      [0, 5],
      [1, 0],
    ]);
    await broker.admin.setOffsets({ groupId, topic, partitions: [{ partition: 0, offset: "3" }] });
    expect(await byPartition()).toEqual([
      [0, 2],
      [1, 0],
    ]);
  });
});
