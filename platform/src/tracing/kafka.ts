import type { KafkaMessage } from "kafkajs";
import { contextFrom, inSpan, linkTo, SpanKind, tracingEnabled } from "./spans.ts";

/** A message's `traceparent` header, as a string. */
function traceparentOf(message: KafkaMessage): string | undefined {
  const header = message.headers?.traceparent;
  const value = Array.isArray(header) ? header[0] : header;
  return value === undefined ? undefined : value.toString();
}

/**
 * Applies consumed messages in a consumer span that continues the trace of the first message (the write that
 * published it) and links the others', so a trace runs from the producing request into this service's
 * handler and the store calls it makes. Just runs `work` when tracing is off.
 */
export function inConsumeSpan<T>(topic: string, messages: KafkaMessage[], work: () => Promise<T>): Promise<T> {
  if (!tracingEnabled()) return work();
  const [first, ...rest] = messages;
  return inSpan(
    `${topic} process`,
    {
      kind: SpanKind.CONSUMER,
      parent: contextFrom(first && traceparentOf(first)),
      links: rest.flatMap((message) => linkTo(traceparentOf(message)) ?? []),
      attributes: {
        "messaging.system": "kafka",
        "messaging.destination.name": topic,
        "messaging.batch.message_count": messages.length,
        ...(first ? { "messaging.kafka.offset": Number(first.offset) } : {}),
      },
    },
    work,
  );
}
