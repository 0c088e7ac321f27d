import { deadLetterTopic, parseEvent, type TopicDefinition, type TopicEvent } from "@chirp/contracts";
import type { Producer } from "kafkajs";
import { physicalName } from "./topics.ts";

/** Sends events of a topic to Kafka, validated first. Resolves once the brokers acknowledged every one. */
export interface EventPublisher {
  /** `traceparents[i]`, when set, goes with `events[i]` as its `traceparent` header (the trace it continues). */
  publish<T extends TopicDefinition>(
    topic: T,
    events: readonly TopicEvent<T>[],
    traceparents?: readonly (string | undefined)[],
  ): Promise<void>;
  /** Parks something that can never be published (it breaks its contract) on `<topic>.dlq`, with why. */
  deadLetter(topic: TopicDefinition, value: unknown, reason: string): Promise<void>;
}

/** Headers that let tools route and trace a message without parsing its body. */
export function eventHeaders(event: TopicEvent<TopicDefinition>, traceparent?: string): Record<string, string> {
  return {
    "event-id": event.id,
    "event-type": event.type,
    "event-version": String(event.version),
    ...(event.correlationId ? { "correlation-id": event.correlationId } : {}),
    ...(traceparent ? { traceparent } : {}),
  };
}

export function createPublisher(producer: Producer, prefix: string): EventPublisher {
  return {
    async publish(topic, events, traceparents) {
      if (events.length === 0) return;
      const messages = events.map((event, i) => {
        const checked = parseEvent(topic, event);
        if (!checked.ok) throw new Error(`refusing to publish an invalid ${topic.name} event: ${checked.message}`);
        return {
          key: topic.key(checked.event),
          value: JSON.stringify(checked.event),
          headers: eventHeaders(event, traceparents?.[i]),
        };
      });
      await producer.send({ topic: physicalName(prefix, topic), acks: -1, messages });
    },
    async deadLetter(topic, value, reason) {
      await producer.send({
        topic: deadLetterTopic(physicalName(prefix, topic)),
        acks: -1,
        messages: [
          {
            value: JSON.stringify(value),
            headers: { "dlq-reason": "invalid-event", "dlq-error": reason.slice(0, 4000), "dlq-source": "producer" },
          },
        ],
      });
    },
  };
}
