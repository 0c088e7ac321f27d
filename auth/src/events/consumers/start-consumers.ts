import { PostEvents, SessionEvents, type TopicEvent, UserEvents } from "@chirp/contracts";
import { type ConsumerOptions, startConsumer, subscription } from "@chirp/platform/kafka/consumer";
import { groupCommit } from "@chirp/platform/kafka/group-commit";
import { handlePostEvents, type PostEventDeps } from "./post-events.ts";
import { handleSessionEvent } from "./session-events.ts";
import { handleUserEvents, type UserEventDeps } from "./user-events.ts";

export type AuthConsumerDeps = UserEventDeps & PostEventDeps;

/**
 * The auth service's consumer group on the three topics: welcome e-mails, the activity log and the
 * post-membership facts. The handlers are the plain functions beside this file; this only binds them.
 *
 * User and post events are applied in chunks, and the chunks of partitions handled at once are group
 * committed: each round trip to MongoDB carries whatever all of them brought while the previous one was in
 * flight. On FerretDB a round trip costs about a millisecond of its CPU however few documents it carries,
 * and a post event takes three: one at a time, 1,000 events/s needed more CPU than the machine had.
 */
export function startAuthConsumers(options: Omit<ConsumerOptions, "subscriptions">, deps: AuthConsumerDeps) {
  const applyUserEvents = groupCommit((events: readonly TopicEvent<typeof UserEvents>[]) =>
    handleUserEvents(events, deps),
  );
  const applyPostEvents = groupCommit((events: readonly TopicEvent<typeof PostEvents>[]) =>
    handlePostEvents(events, deps),
  );
  return startConsumer({
    ...options,
    subscriptions: [
      subscription(UserEvents, (event) => applyUserEvents([event]), { handleBatch: applyUserEvents }),
      subscription(SessionEvents, (event) => handleSessionEvent(event, deps)),
      subscription(PostEvents, (event) => applyPostEvents([event]), { handleBatch: applyPostEvents }),
    ],
  });
}
