import { PostEvents, SessionEvents, UserEvents } from "@chirp/contracts";
import { type ConsumerOptions, startConsumer, subscription } from "@chirp/platform/kafka/consumer";
import { handlePostEvent, type PostEventDeps } from "./post-events.ts";
import { handleSessionEvent } from "./session-events.ts";
import { handleUserEvent, handleUserEvents, type UserEventDeps } from "./user-events.ts";

export type AuthConsumerDeps = UserEventDeps & PostEventDeps;

/**
 * The auth service's consumer group on the three topics: welcome e-mails, the activity log and the
 * post-membership facts. The handlers are the plain functions beside this file; this only binds them.
 */
export function startAuthConsumers(options: Omit<ConsumerOptions, "subscriptions">, deps: AuthConsumerDeps) {
  return startConsumer({
    ...options,
    subscriptions: [
      // In chunks: a burst of registrations costs two inserts per chunk instead of two per event.
      subscription(UserEvents, (event) => handleUserEvent(event, deps), {
        handleBatch: (events) => handleUserEvents(events, deps),
      }),
      subscription(SessionEvents, (event) => handleSessionEvent(event, deps)),
      subscription(PostEvents, (event) => handlePostEvent(event, deps)),
    ],
  });
}
