import type { Tx } from "../db.ts";
import { processedEvents } from "../schema.ts";

/**
 * Records a consumed event as processed, in the transaction that applies it. False when it was already
 * processed: the caller then changes nothing, so a redelivered event is a no-op.
 */
export async function claimEvent(tx: Tx, eventId: string): Promise<boolean> {
  const inserted = await tx
    .insert(processedEvents)
    .values({ eventId })
    .onConflictDoNothing()
    .returning({ eventId: processedEvents.eventId });
  return inserted.length === 1;
}
