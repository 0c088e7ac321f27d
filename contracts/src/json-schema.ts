import { z } from "zod";
import type { EventDefinition } from "./envelope.ts";
import type { TopicDefinition } from "./topic.ts";

/** A JSON Schema document, as plain JSON. */
export type JsonSchema = { [keyword: string]: unknown };

/** The dialects the schemas are written in: 2020-12 for the snapshots, draft-07 for AsyncAPI payloads. */
export type JsonSchemaTarget = "draft-2020-12" | "draft-7";

/** The snapshot name of an event version, e.g. `user.registered.v1` (its file is `<name>.json`). */
export const snapshotName = (event: Pick<EventDefinition, "type" | "version">) => `${event.type}.v${event.version}`;

/**
 * The JSON Schema of an event's whole envelope, as consumers accept it. Written for zod's *input* side on
 * purpose: that is what `parseEvent` admits, so unknown fields stay allowed (zod strips them) and an optional
 * field added later is readable by old consumers; the output side would close every object.
 */
export function eventJsonSchema(event: EventDefinition, target: JsonSchemaTarget = "draft-2020-12"): JsonSchema {
  const schema = z.toJSONSchema(event.schema, { target, io: "input", unrepresentable: "throw" }) as JsonSchema;
  return {
    ...schema,
    title: `${event.type} v${event.version}`,
    ...(event.description ? { description: event.description } : {}),
  };
}

/** Every event version of the topics by snapshot name, in a stable order. */
export function eventJsonSchemas(topics: readonly TopicDefinition[]): Record<string, JsonSchema> {
  const entries = topics.flatMap((topic) => topic.events.map((event) => [snapshotName(event), eventJsonSchema(event)]));
  return Object.fromEntries(entries.sort(([a], [b]) => String(a).localeCompare(String(b))));
}
