import { deadLetterTopic } from "@chirp/contracts";
import type { IHeaders, KafkaMessage, Producer } from "kafkajs";
import type { Logger } from "../logger.ts";

/** A consumed message that is invalid or kept failing, with where it came from. */
export interface PoisonMessage {
  topic: string;
  partition: number;
  message: KafkaMessage;
}

export type DeadLetter = (poison: PoisonMessage, reason: string, error: string) => Promise<void>;

/**
 * Parks a message on `<topic>.dlq`, unchanged, with why and where from in its headers, so the consumer can
 * move on and an operator can replay it. Acknowledged by all replicas before the offset moves past it.
 */
export function createDeadLetter(producer: Producer, groupId: string, logger: Logger): DeadLetter {
  return async ({ topic, partition, message }, reason, error) => {
    const headers: IHeaders = {
      ...message.headers,
      "dlq-reason": reason,
      "dlq-error": error.slice(0, 4000),
      "dlq-topic": topic,
      "dlq-partition": String(partition),
      "dlq-offset": message.offset,
      "dlq-consumer-group": groupId,
      "dlq-at": new Date().toISOString(),
    };
    await producer.send({
      topic: deadLetterTopic(topic),
      acks: -1,
      messages: [{ key: message.key, value: message.value, headers }],
    });
    logger.warn({ topic, partition, offset: message.offset, reason, error }, "message sent to dead-letter topic");
  };
}
