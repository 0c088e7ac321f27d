import { z } from "zod";
import type { EventDefinition, EventOf } from "./envelope.ts";

/** A topic: its name, the events it carries, and the key that keeps each entity's events in order. */
export interface TopicDefinition<E extends EventDefinition = EventDefinition> {
  readonly name: string;
  readonly events: readonly E[];
  /** What the topic carries, for the AsyncAPI document. */
  readonly description?: string;
  /** What the partition key is (e.g. "user id"), for the AsyncAPI document. */
  readonly keyDescription?: string;
  /** The partition key of an event (declared as a method so topics of narrower events stay assignable). */
  key(event: EventOf<E>): string;
}

/** Declares a topic; the key function sees the precise union of the topic's events. */
export function defineTopic<const Events extends readonly EventDefinition[]>(topic: {
  name: string;
  events: Events;
  description?: string;
  keyDescription?: string;
  key: (event: EventOf<Events[number]>) => string;
}): TopicDefinition<Events[number]> {
  return topic;
}

/** Any event of a topic. */
export type TopicEvent<T extends TopicDefinition> = T extends TopicDefinition<infer E> ? EventOf<E> : never;

/** Why a message could not be read as an event of its topic. */
export type ParseFailure =
  | { reason: "malformed"; message: string }
  | { reason: "unknown-type"; message: string }
  | { reason: "unknown-version"; message: string }
  | { reason: "invalid"; message: string; issues: z.core.$ZodIssue[] };

/** The outcome of `parseEvent`. */
export type ParseResult<E> = { ok: true; event: E } | ({ ok: false } & ParseFailure);

const Head = z.object({ type: z.string(), version: z.number().int() });

/**
 * Reads a raw message value (JSON text, bytes or an object) as an event of `topic`.
 * Never throws: an event a consumer cannot handle is reported with the reason, for the dead-letter topic.
 */
export function parseEvent<T extends TopicDefinition>(topic: T, raw: unknown): ParseResult<TopicEvent<T>> {
  let value = raw;
  if (typeof raw === "string" || raw instanceof Uint8Array) {
    try {
      value = JSON.parse(typeof raw === "string" ? raw : new TextDecoder("utf-8", { fatal: true }).decode(raw));
    } catch (error) {
      return { ok: false, reason: "malformed", message: `not JSON: ${(error as Error).message}` };
    }
  }
  const head = Head.safeParse(value);
  if (!head.success) {
    return { ok: false, reason: "malformed", message: "not an event envelope (no type/version)" };
  }
  const { type, version } = head.data;
  const ofType = topic.events.filter((definition) => definition.type === type);
  if (ofType.length === 0) {
    return { ok: false, reason: "unknown-type", message: `${topic.name} carries no event "${type}"` };
  }
  const definition = ofType.find((candidate) => candidate.version === version);
  if (!definition) {
    const known = ofType.map((candidate) => candidate.version).join(", ");
    return {
      ok: false,
      reason: "unknown-version",
      message: `${type} version ${version} is not known here (known: ${known})`,
    };
  }
  const parsed = definition.schema.safeParse(value);
  if (!parsed.success) {
    return { ok: false, reason: "invalid", message: z.prettifyError(parsed.error), issues: parsed.error.issues };
  }
  return { ok: true, event: parsed.data as TopicEvent<T> };
}
