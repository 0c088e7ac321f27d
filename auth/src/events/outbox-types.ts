import type { TopicDefinition, TopicEvent } from "@chirp/contracts";

/**
 * How a sweeper tells whether the change behind a stale pending entry happened: the documents `ids` of
 * `collection` are all present (and match `match`), or all absent.
 */
export interface ChangeCheck {
  collection: string;
  ids: string[];
  expect: "present" | "absent";
  match?: Record<string, string | number | boolean>;
}

export interface OutboxDocument {
  /** The event id, so an entry is written once. */
  _id: string;
  /** Write order (time-based); the relay publishes in this order. */
  seq: number;
  status: "pending" | "ready";
  topic: string;
  event: TopicEvent<TopicDefinition>;
  check: ChangeCheck;
  /** The W3C trace context of the write, when traced: the relay sends it as the message's `traceparent`. */
  traceparent?: string;
  createdAt: Date;
}
