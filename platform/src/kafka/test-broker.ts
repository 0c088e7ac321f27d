/**
 * The shared broker as a test file sees it: one client, admin and producer for the file, topics under a
 * fresh prefix per test (deleted after the file), consumers stopped after each test. Registers its own
 * bun:test hooks; call it once at the top of a test file. Never imported by service code.
 */
import { afterAll, afterEach, beforeAll } from "bun:test";
import { type TopicDefinition, UserEvents } from "@chirp/contracts";
import type { Producer } from "kafkajs";
import { createLogger } from "../logger.ts";
import { uniqueName } from "../testing.ts";
import { createKafka } from "./client.ts";
import { type ConsumerOptions, type RunningConsumer, startConsumer } from "./consumer.ts";
import { ensureTopics, physicalName } from "./topics.ts";

export function useTestBroker(clientId: string) {
  const brokers = (process.env.KAFKA_BROKERS ?? "127.0.0.1:9092").split(",");
  const logger = createLogger(clientId, process.env.TEST_LOG_LEVEL ?? "silent");
  const kafka = createKafka({ clientId, brokers, logger });
  const admin = kafka.admin();
  const producer: Producer = kafka.producer();
  const createdTopics: string[] = [];
  const running: RunningConsumer[] = [];

  beforeAll(async () => {
    await admin.connect();
    await producer.connect();
  });
  afterEach(async () => {
    await Promise.all(running.splice(0).map((consumer) => consumer.stop()));
  });
  afterAll(async () => {
    if (createdTopics.length > 0) await admin.deleteTopics({ topics: createdTopics });
    await producer.disconnect();
    await admin.disconnect();
  });

  return {
    brokers,
    logger,
    kafka,
    admin,
    producer,
    /** Topics (and their dead-letter twins) under a prefix no other test uses; `topic` names the first. */
    async freshTopics(topics: TopicDefinition[] = [UserEvents], partitions = 3) {
      const prefix = `${uniqueName("t")}.`;
      createdTopics.push(...(await ensureTopics(admin, topics, { prefix, partitions, replicationFactor: 1 })));
      return { prefix, topic: physicalName(prefix, topics[0] ?? UserEvents) };
    },
    /** Topics a test created itself, deleted with the others after the file. */
    created: (names: string[]) => void createdTopics.push(...names),
    /** A consumer in a group of its own on the shared broker, stopped after the test. */
    async consume(options: Pick<ConsumerOptions, "prefix" | "subscriptions"> & Partial<ConsumerOptions>) {
      const consumer = await startConsumer({ kafka, groupId: uniqueName("g"), producer, logger, ...options });
      running.push(consumer);
      return consumer;
    },
    /** Consumers to stop after the test. */
    track: (...consumers: RunningConsumer[]) => void running.push(...consumers),
  };
}
