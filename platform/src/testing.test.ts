import { expect, test } from "bun:test";
import { UserEvents } from "@chirp/contracts";
import { createKafka } from "./kafka/client.ts";
import { ensureTopics } from "./kafka/topics.ts";
import { createLogger } from "./logger.ts";
import { deleteTopicsUnder, freePort, uniqueName } from "./testing.ts";

const brokers = (process.env.KAFKA_BROKERS ?? "127.0.0.1:9092").split(",");

test("deleteTopicsUnder deletes the topics under its prefix and no others", async () => {
  const admin = createKafka({ clientId: "cleanup-test", brokers, logger: createLogger("test", "silent") }).admin();
  await admin.connect();
  const mine = `${uniqueName("mine")}.`;
  const theirs = `${mine.slice(0, -1)}x.`;
  try {
    for (const prefix of [mine, theirs]) {
      await ensureTopics(admin, [UserEvents], { prefix, partitions: 1, replicationFactor: 1 });
    }
    await deleteTopicsUnder(brokers, mine);
    const left = (await admin.listTopics()).filter((topic) => topic.startsWith(mine.slice(0, -1)));
    expect(left.toSorted()).toEqual([`${theirs}user-events`, `${theirs}user-events.dlq`]);
  } finally {
    await deleteTopicsUnder(brokers, theirs);
    await admin.disconnect();
  }
});

test("deleteTopicsUnder gives up quietly when no broker answers", async () => {
  await expect(deleteTopicsUnder([`127.0.0.1:${freePort()}`], "anything.")).resolves.toBeUndefined();
});
