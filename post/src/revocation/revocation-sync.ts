import type { Logger } from "@chirp/platform/logger";
import type { Sql } from "../db.ts";
import { decodeRevocation, REVOCATION_CHANNEL, type RevocationStore } from "../stores/revocation-store.ts";
import type { RevocationList } from "./revocation-list.ts";

export interface RevocationSyncOptions {
  sql: Sql;
  store: RevocationStore;
  list: RevocationList;
  retentionMs: number;
  /** A safety net beside the notifications; also where old entries are pruned. */
  reloadMs: number;
  logger: Logger;
}

/**
 * Keeps this instance's revocation list complete. The session-events consumer group hands each event to
 * one instance only, so that instance records it in PostgreSQL and NOTIFYs in the same transaction; every
 * instance LISTENs and adds it at once. Whatever was missed while the listening connection was down is
 * read back from the table on every (re)connect, and periodically. Loading merges and never removes
 * recent entries, so a notification racing a reload cannot be lost.
 */
export async function startRevocationSync(options: RevocationSyncOptions) {
  const { sql, store, list, logger } = options;
  const reload = async () => {
    for (const revocation of await store.since(new Date(Date.now() - options.retentionMs))) list.add(revocation);
    list.prune();
  };
  const reloadQuietly = () =>
    reload().catch((error: unknown) => logger.warn({ err: error }, "could not reload revocations"));

  await reload();
  const listener = await sql.listen(
    REVOCATION_CHANNEL,
    (payload) => list.add(decodeRevocation(payload)),
    () => void reloadQuietly(),
  );
  const timer = setInterval(reloadQuietly, options.reloadMs);
  return {
    async stop() {
      clearInterval(timer);
      await listener.unlisten();
    },
  };
}
