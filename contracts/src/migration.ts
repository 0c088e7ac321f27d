import type { z } from "zod";
import type { EventDefinition, EventOf } from "./envelope.ts";

/**
 * The same change as `original`, in another version of its event type: same `id`, `occurredAt`, `source` and
 * `correlationId`, new `data`. During a migration the producer publishes both in one send (same key, so in
 * order): consumers that know only the old version apply it and dead-letter the twin as `unknown-version`;
 * consumers that know both apply the change once, because they deduplicate on the event id.
 * Throws when the definition is another event type, or `data` does not match it.
 */
export function createTwinEvent<D extends EventDefinition>(
  definition: D,
  data: z.input<D["data"]>,
  original: EventOf<EventDefinition>,
): EventOf<D> {
  if (definition.type !== original.type) {
    throw new Error(`a twin of ${original.type} must be a ${original.type}, not a ${definition.type}`);
  }
  return definition.schema.parse({ ...original, version: definition.version, data }) as EventOf<D>;
}
