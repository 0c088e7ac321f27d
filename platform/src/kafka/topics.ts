import { deadLetterTopic, type TopicDefinition } from "@chirp/contracts";
import type { Admin } from "kafkajs";

export interface TopicSettings {
  /** Prepended to every topic name (empty in production; unique per test run). */
  prefix: string;
  partitions: number;
  replicationFactor: number;
}

/** The physical name of a topic on the cluster. */
export const physicalName = (prefix: string, topic: TopicDefinition | string) =>
  `${prefix}${typeof topic === "string" ? topic : topic.name}`;

/**
 * Creates the topics and their dead-letter twins when missing. Safe to run from every instance at start;
 * existing topics are left as they are.
 */
export async function ensureTopics(admin: Admin, topics: readonly TopicDefinition[], settings: TopicSettings) {
  const wanted = topics.flatMap((topic) => {
    const name = physicalName(settings.prefix, topic);
    return [name, deadLetterTopic(name)];
  });
  const existing = new Set(await admin.listTopics());
  const missing = wanted.filter((name) => !existing.has(name));
  if (missing.length === 0) return [];
  await admin.createTopics({
    waitForLeaders: true,
    topics: missing.map((topic) => ({
      topic,
      numPartitions: settings.partitions,
      replicationFactor: settings.replicationFactor,
    })),
  });
  await untilServed(admin, missing);
  return missing;
}

/**
 * Waits until the cluster's metadata serves every partition of `topics` with a leader. `waitForLeaders` is not
 * enough: right after a broker restart a new topic was still unknown to a metadata request ("This server does
 * not host this topic-partition"), and a consumer subscribing then fails (kafkajs does not retry `subscribe`).
 */
async function untilServed(admin: Admin, topics: string[], timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const { topics: served } = await admin.fetchTopicMetadata({ topics });
      if (served.every((topic) => topic.partitions.length > 0 && topic.partitions.every((p) => p.leader >= 0))) return;
    } catch (error) {
      if (Date.now() > deadline) throw error;
    }
    if (Date.now() > deadline) throw new Error(`topics not served within ${timeoutMs} ms: ${topics.join(", ")}`);
    await Bun.sleep(100);
  }
}
