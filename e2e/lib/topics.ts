/** Kafka as the suites see it: every message of a topic, a group's committed offsets, raw sends, resets. */
import { deadLetterTopic, type TopicDefinition } from "@chirp/contracts";
import { createKafka } from "@chirp/platform/kafka/client";
import { createPublisher } from "@chirp/platform/kafka/publisher";
import { physicalName } from "@chirp/platform/kafka/topics";
import { createLogger } from "@chirp/platform/logger";
import { readTopic } from "@chirp/platform/testing";
import type { IHeaders, Kafka } from "kafkajs";

const logger = createLogger("e2e-kafka", "silent");

export interface Envelope {
  id: string;
  type: string;
  data: Record<string, unknown>;
}

/** A Kafka client and admin for one test's topics (prefix) on its brokers; dispose to disconnect. */
export async function openTopics(brokers: string[], prefix: string) {
  const kafka: Kafka = createKafka({ clientId: "e2e", brokers, logger });
  const admin = kafka.admin();
  await admin.connect();
  const producer = kafka.producer();
  await producer.connect();
  const name = (topic: TopicDefinition | string) => physicalName(prefix, topic);

  /** How many messages a topic holds (sum of its partitions' high watermarks; nothing is compacted here). */
  async function size(topic: string) {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, partition) => sum + Number(partition.high), 0);
  }

  return {
    kafka,
    admin,
    name,
    size,
    /** Publishes valid events as a producing service would (validated, keyed). */
    publisher: createPublisher(producer, prefix),
    /** Every message on the topic, with its parsed body (null when it is not JSON) and headers. */
    async messages(topic: string) {
      const total = await size(topic);
      if (total === 0) return [];
      const read = await readTopic(kafka, topic, total, 60_000);
      return read.map((message) => ({
        key: message.key?.toString() ?? null,
        headers: message.headers ?? {},
        value: message.value?.toString() ?? "",
        event: parseJson(message.value?.toString() ?? "") as Envelope | null,
      }));
    },
    /** Every event on a logical topic (`user-events`), parsed. */
    async events(topic: TopicDefinition) {
      const all = await this.messages(name(topic));
      return all.map((message) => message.event).filter((event): event is Envelope => event !== null);
    },
    dlq: (topic: TopicDefinition) => deadLetterTopic(name(topic)),
    /** Sum of the group's committed offsets on a topic, beside the topic's size. */
    async committed(groupId: string, topic: string) {
      const [entry] = await admin.fetchOffsets({ groupId, topics: [topic] });
      const committed = (entry?.partitions ?? []).reduce((sum, p) => sum + Math.max(0, Number(p.offset)), 0);
      return { committed, size: await size(topic) };
    },
    async groupExists(groupId: string) {
      const { groups } = await admin.listGroups();
      return groups.some((group) => group.groupId === groupId);
    },
    /** Sends raw messages (poison included) to a physical topic. */
    async send(topic: string, messages: { key: string; value: string; headers?: IHeaders }[]) {
      await producer.send({ topic, acks: -1, messages });
    },
    /** Moves a (stopped) group back to the start of a topic, so everything is delivered again. */
    resetToEarliest: (groupId: string, topic: string) => admin.resetOffsets({ groupId, topic, earliest: true }),
    async [Symbol.asyncDispose]() {
      await producer.disconnect();
      await admin.disconnect();
    },
  };
}

export type Topics = Awaited<ReturnType<typeof openTopics>>;

function parseJson(text: string) {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
