import type { PostEvents, TopicEvent } from "@chirp/contracts";
import type { ActivityStore } from "../../stores/activity-store.ts";
import type { PostMembershipStore } from "../../stores/post-membership-store.ts";
import { activityOf } from "./activity.ts";

export interface PostEventDeps {
  activity: ActivityStore;
  memberships: PostMembershipStore;
}

/**
 * Keeps the membership facts that `postCount` counts, and logs the events for their authors, for a chunk of
 * one partition's events in a handful of round trips: the deletions (tombstones, then removals), the
 * creations (memberships, then the tombstone check), the activity entries. All are inserts or deletes by
 * natural id, so redelivery, a chunk applied again, and a `post.deleted` overtaking its `post.created` (in
 * one chunk or across chunks and instances) leave the count exact.
 */
export async function handlePostEvents(events: readonly TopicEvent<typeof PostEvents>[], deps: PostEventDeps) {
  const removed = [];
  const added = [];
  for (const { type, data, occurredAt } of events) {
    if (type === "post.deleted") removed.push({ userId: data.authorId, postId: data.postId, at: new Date(occurredAt) });
    if (type === "post.created") added.push({ userId: data.authorId, postId: data.postId });
  }
  await deps.memberships.remove(removed);
  await deps.memberships.add(added);
  // Last, so an entry's `recordedAt` comes after its event's effects (the bench reads the lag from it).
  await deps.activity.recordMany(events.map(activityOf));
}

/** One event: the chunk handler's fallback, and what tests drive. */
export const handlePostEvent = (event: TopicEvent<typeof PostEvents>, deps: PostEventDeps) =>
  handlePostEvents([event], deps);
