import type { EachBatchPayload } from "kafkajs";
import type { Logger } from "../logger.ts";

/** The part of a kafkajs batch payload that commits: what its member resolved and has not yet committed. */
export type CommitSource = Pick<EachBatchPayload, "uncommittedOffsets" | "commitOffsetsIfNecessary">;

export interface OffsetCommits {
  /** Commits what `source`'s member has resolved, soon: at once, or after the commit in flight. */
  request(source: CommitSource): void;
  /** Settles once every commit requested so far has been answered. */
  flush(): Promise<void>;
}

/**
 * Commits a consumer's resolved offsets beside its work rather than in its way: one commit in flight at a
 * time, and whatever is resolved while it flies goes in the next one. kafkajs's auto-commit awaits a commit
 * after every batch, so each fetch cycle waited a round trip to Kafka, and with partitions handled at once it
 * sent a commit per partition: 2,400-2,500 requests for 5,000 events at 1,000/s, ~0.1 ms of the consumer's
 * CPU and ~0.1 ms of Kafka's per event. A commit that fails is logged and left to the next one: the offsets
 * stay resolved, and if the partition moves meanwhile, its new owner gets the events again (handlers are
 * idempotent). Only resolved offsets are ever committed, so nothing is skipped.
 */
export function offsetCommits(logger: Logger, groupId: string): OffsetCommits {
  let next: CommitSource | undefined;
  let inFlight: Promise<void> | undefined;

  async function drain() {
    while (next) {
      const source = next;
      next = undefined;
      await source.commitOffsetsIfNecessary(source.uncommittedOffsets()).catch((error: unknown) => {
        logger.warn({ err: error, groupId }, "offset commit failed; the next commit carries its offsets");
      });
    }
    inFlight = undefined;
  }

  return {
    request(source) {
      next = source;
      inFlight ??= drain();
    },
    async flush() {
      await inFlight;
    },
  };
}
