import { z } from "zod";

/** The services that publish events. */
export const EventSource = z.enum(["auth", "post"]);
export type EventSource = z.infer<typeof EventSource>;

/**
 * Declares one event type at one version: the envelope every event shares, around its own `data`.
 * A breaking change to `data` is published as a new version beside the old one, never in place.
 */
export function defineEvent<const Type extends string, const Version extends number, Data extends z.ZodType>(
  type: Type,
  version: Version,
  data: Data,
  /** What happened and who cares, for the AsyncAPI document (runtime text: JSDoc does not survive). */
  description?: string,
) {
  const schema = z.object({
    /** Unique per event; consumers deduplicate on it. */
    id: z.uuid(),
    /** Past-tense name, e.g. `user.registered`. */
    type: z.literal(type),
    /** Version of `data`'s shape. */
    version: z.literal(version),
    /** When the change happened (ISO-8601, UTC). */
    occurredAt: z.iso.datetime({ offset: true }),
    /** The service that owns the change. */
    source: EventSource,
    /** The `x-request-id` of the request that caused the change, when there was one. */
    correlationId: z.string().min(1).max(200).optional(),
    data,
  });
  return { type, version, data, schema, description };
}

/** What `defineEvent` returns: an event type, its version and the schema of its whole envelope. */
export type EventDefinition = ReturnType<typeof defineEvent<string, number, z.ZodType>>;

/** The envelope of an event definition, as consumers receive it. */
export type EventOf<D extends EventDefinition> = z.infer<D["schema"]>;

/** Who publishes an event, and the request that caused it. */
export interface EventOrigin {
  source: EventSource;
  correlationId?: string | undefined;
}

/**
 * Builds a validated event envelope (fresh id, current time). Throws a ZodError when `data` does not
 * match its schema, so an invalid event never reaches a topic.
 */
export function createEvent<D extends EventDefinition>(
  definition: D,
  data: z.input<D["data"]>,
  origin: EventOrigin,
  now: Date = new Date(),
): EventOf<D> {
  return definition.schema.parse({
    id: crypto.randomUUID(),
    type: definition.type,
    version: definition.version,
    occurredAt: now.toISOString(),
    source: origin.source,
    ...(origin.correlationId ? { correlationId: origin.correlationId } : {}),
    data,
  }) as EventOf<D>;
}
