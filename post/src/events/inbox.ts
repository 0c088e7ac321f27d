import { sql } from "drizzle-orm";
import { executePrepared, type Tx } from "../db.ts";
import { processedEvents } from "../schema.ts";

/**
 * Records a consumed event as processed, in the transaction that applies it. False when it was already
 * processed: the caller then changes nothing, so a redelivered event is a no-op.
 */
export async function claimEvent(tx: Tx, eventId: string): Promise<boolean> {
  return (await claimEvents(tx, [eventId])).has(eventId);
}

/**
 * Records many consumed events as processed in one statement, in the transaction that applies them.
 * Returns the ids claimed now; the others were processed before (or appear twice in `eventIds`).
 */
export async function claimEvents(tx: Tx, eventIds: readonly string[]): Promise<Set<string>> {
  if (eventIds.length === 0) return new Set();
  // The ids as one JSON parameter: one prepared statement for any number of them.
  const inserted = await executePrepared<{ event_id: string }>(
    tx,
    "claim_events",
    sql`insert into ${processedEvents} (event_id)
      select distinct id::uuid from jsonb_array_elements_text(${JSON.stringify(eventIds)}::jsonb) as t(id)
      on conflict do nothing returning event_id`,
  );
  return new Set(inserted.map((row) => row.event_id));
}
