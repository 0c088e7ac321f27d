import type { PostEvents, TopicEvent } from "@chirp/contracts";
import type { ActivityStore } from "../../stores/activity-store.ts";
import type { PostMembershipStore } from "../../stores/post-membership-store.ts";
import { activityOf } from "./activity.ts";

export interface PostEventDeps {
  activity: ActivityStore;
  memberships: PostMembershipStore;
}

/**
 * Keeps the membership facts that `postCount` counts, and logs the event for the author. Both writes are
 * inserts or deletes by natural id, so redelivery and a `post.deleted` overtaking its `post.created` leave
 * the count exact.
 */
export async function handlePostEvent(event: TopicEvent<typeof PostEvents>, deps: PostEventDeps) {
  const { postId, authorId } = event.data;
  if (event.type === "post.created") await deps.memberships.add(authorId, postId);
  if (event.type === "post.deleted") await deps.memberships.remove(authorId, postId, new Date(event.occurredAt));
  await deps.activity.record(activityOf(event));
}
