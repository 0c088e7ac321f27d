/** Test helper: the events one entity's key carries on post-events, read with a throwaway group. */

import { PostEvents, type TopicEvent } from "@chirp/contracts";
import { physicalName } from "@chirp/platform/kafka/topics";
import { eventually, uniqueName } from "@chirp/platform/testing";
import type { Kafka } from "kafkajs";

export async function eventsOf(kafka: Kafka, prefix: string, key: string, count: number, timeoutMs = 20_000) {
  const consumer = kafka.consumer({ groupId: uniqueName("reader"), maxWaitTimeInMs: 100 });
  const events: TopicEvent<typeof PostEvents>[] = [];
  try {
    await consumer.connect();
    await consumer.subscribe({ topic: physicalName(prefix, PostEvents), fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        if (message.key?.toString() === key) events.push(JSON.parse(message.value?.toString() ?? "null"));
      },
    });
    await eventually(() => events.length >= count, { timeoutMs, what: `${count} events of ${key}` });
    return events;
  } finally {
    await consumer.disconnect();
  }
}
