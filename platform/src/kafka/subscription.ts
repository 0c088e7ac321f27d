import type { TopicDefinition, TopicEvent } from "@chirp/contracts";

/** Where a message came from, for handlers that log or record it. */
export interface MessageMeta {
  topic: string;
  partition: number;
  offset: string;
}

/** Where a chunk of messages came from: one partition, offsets `firstOffset..lastOffset`. */
export interface ChunkMeta {
  topic: string;
  partition: number;
  firstOffset: string;
  lastOffset: string;
}

/** A plain function that applies one parsed event; throwing means "try again later". */
export type EventHandler<T extends TopicDefinition> = (event: TopicEvent<T>, meta: MessageMeta) => Promise<void>;

/**
 * Applies parsed events of one partition, in offset order, all or nothing (e.g. in one transaction); throwing
 * means "try again later". It must apply each event exactly as the per-message handler would, since a chunk
 * that keeps failing is retried one event at a time through that handler.
 */
export type BatchHandler<T extends TopicDefinition> = (events: TopicEvent<T>[], meta: ChunkMeta) => Promise<void>;

/** Binds a topic to its handler(s); `subscription(topic, handler)` keeps their types in step. */
export interface Subscription {
  topic: TopicDefinition;
  handle: EventHandler<TopicDefinition>;
  batch?: { handle: BatchHandler<TopicDefinition>; maxEvents: number };
}

export interface BatchOptions<T extends TopicDefinition> {
  /** Turns on batch mode: the valid events of each fetched batch are handed over in chunks. */
  handleBatch: BatchHandler<T>;
  /** Events per chunk at most (default 500): bounds a transaction's size and the work redone on a failure. */
  maxEvents?: number;
}

export const DEFAULT_MAX_EVENTS = 500;

/**
 * A topic's consumer: `handle` applies one event; with `handleBatch`, whole chunks go to it instead, and
 * `handle` is the fallback that isolates a poison event (and handles a chunk of one).
 */
export function subscription<T extends TopicDefinition>(
  topic: T,
  handle: EventHandler<T>,
  options?: BatchOptions<T>,
): Subscription {
  const batch = options && {
    handle: options.handleBatch as BatchHandler<TopicDefinition>,
    maxEvents: Math.max(1, options.maxEvents ?? DEFAULT_MAX_EVENTS),
  };
  return { topic, handle: handle as EventHandler<TopicDefinition>, ...(batch ? { batch } : {}) };
}
