import { deadLetterTopic } from "./dead-letter.ts";
import type { EventDefinition } from "./envelope.ts";
import { eventJsonSchema, type JsonSchema, snapshotName } from "./json-schema.ts";
import type { TopicDefinition } from "./topic.ts";

/** An AsyncAPI 3.0 document, as plain JSON. */
export interface AsyncApiDocument {
  asyncapi: "3.0.0";
  info: { title: string; version: string; description: string };
  defaultContentType: "application/json";
  channels: Record<string, JsonSchema>;
  operations: Record<string, JsonSchema>;
  components: { messages: Record<string, JsonSchema> };
}

export interface AsyncApiOptions {
  /** The producing service (`auth`, `post`); without it the document describes every topic given. */
  service?: string;
  /** The topics the document describes: for a service, the ones it produces. */
  topics: readonly TopicDefinition[];
  /** The document's own version; defaults to "1.0.0". */
  version?: string;
}

const kafkaBinding = "0.5.0";

// The headers `createPublisher` sets, so tools can route and trace without parsing the body.
const headers: JsonSchema = {
  type: "object",
  properties: {
    "event-id": { type: "string", description: "The envelope's `id`." },
    "event-type": { type: "string", description: "The envelope's `type`." },
    "event-version": { type: "string", description: "The envelope's `version`, as text." },
    "correlation-id": { type: "string", description: "The envelope's `correlationId`, when set." },
  },
  required: ["event-id", "event-type", "event-version"],
};

function message(topic: TopicDefinition, event: EventDefinition): JsonSchema {
  // Draft-07 is what AsyncAPI's default schema format is built on; the payload has no `$schema` of its own.
  const { $schema: _dialect, ...payload } = eventJsonSchema(event, "draft-7");
  return {
    name: event.type,
    title: `${event.type} v${event.version}`,
    summary: event.description ?? `${event.type}, version ${event.version}.`,
    contentType: "application/json",
    headers,
    payload,
    bindings: {
      kafka: {
        key: { type: "string", description: `The ${topic.keyDescription ?? "partition key"}.` },
        bindingVersion: kafkaBinding,
      },
    },
  };
}

function channel(topic: TopicDefinition): JsonSchema {
  const messages = Object.fromEntries(
    topic.events.map((event) => [snapshotName(event), { $ref: `#/components/messages/${snapshotName(event)}` }]),
  );
  const description = [
    topic.description ?? `The ${topic.name} topic.`,
    `Keyed by ${topic.keyDescription ?? "an entity id"}, so each key's events keep their order.`,
    `Messages a consumer cannot handle go to \`${deadLetterTopic(topic.name)}\` with \`dlq-reason\`/\`dlq-error\` headers.`,
  ].join(" ");
  return { address: topic.name, description, messages, bindings: { kafka: { bindingVersion: kafkaBinding } } };
}

/**
 * The AsyncAPI 3.0 document of `topics`: one channel per topic (its key as the Kafka message key), one
 * message per event type and version with the envelope's JSON Schema as payload, and a `send` operation per
 * topic. Pure: serve it as JSON or render it.
 */
export function asyncApiDocument({ service, topics, version = "1.0.0" }: AsyncApiOptions): AsyncApiDocument {
  const channels: Record<string, JsonSchema> = {};
  const operations: Record<string, JsonSchema> = {};
  const messages: Record<string, JsonSchema> = {};
  for (const topic of topics) {
    channels[topic.name] = channel(topic);
    for (const event of topic.events) messages[snapshotName(event)] = message(topic, event);
    operations[`send-${topic.name}`] = {
      action: "send",
      summary: `${service ?? "The owning service"} publishes to ${topic.name}.`,
      channel: { $ref: `#/channels/${topic.name}` },
      messages: topic.events.map((event) => ({ $ref: `#/channels/${topic.name}/messages/${snapshotName(event)}` })),
    };
  }
  return {
    asyncapi: "3.0.0",
    info: {
      title: service ? `chirp ${service} events` : "chirp events",
      version,
      description:
        "Events are JSON envelopes `{id, type, version, occurredAt, source, correlationId?, data}` on Kafka. " +
        "Consumers accept the versions they know and dead-letter the rest; see each message's payload schema.",
    },
    defaultContentType: "application/json",
    channels,
    operations,
    components: { messages },
  };
}
