import { SessionEvents, UserEvents } from "@chirp/contracts";
import { type ConsumerOptions, startConsumer, subscription } from "@chirp/platform/kafka/consumer";
import type { AuthorStore } from "../../stores/author-store.ts";
import type { RevocationStore } from "../../stores/revocation-store.ts";
import { handleSessionEvent } from "./session-events.ts";
import { handleUserEvent, handleUserEvents } from "./user-events.ts";

/** Events this instance applied for the first time, per topic (a redelivery does not count). */
export type AppliedCounts = Record<"user-events" | "session-events", number>;

export interface PostConsumerDeps extends Omit<ConsumerOptions, "subscriptions"> {
  authors: AuthorStore;
  revocations: RevocationStore;
}

/** The post service's consumer group: the authors projection and the revocation list. */
export async function startPostConsumers({ authors, revocations, ...options }: PostConsumerDeps) {
  const applied: AppliedCounts = { "user-events": 0, "session-events": 0 };
  const consumer = await startConsumer({
    ...options,
    subscriptions: [
      // In batches: one transaction per chunk of a partition's events instead of one per event.
      subscription(
        UserEvents,
        async (event) => {
          if (await handleUserEvent(event, { authors })) applied["user-events"]++;
        },
        {
          handleBatch: async (events) => {
            // Awaited first: `x += await y` reads x before the wait and loses other partitions' counts.
            const fresh = await handleUserEvents(events, { authors });
            applied["user-events"] += fresh;
          },
        },
      ),
      subscription(SessionEvents, async (event) => {
        if (await handleSessionEvent(event, { revocations })) applied["session-events"]++;
      }),
    ],
  });
  return { ...consumer, applied };
}
