import type { PostEvents, SessionEvents, TopicEvent, UserEvents } from "@chirp/contracts";
import { type ActivityEntry, erasureMark } from "../../stores/activity-store.ts";

/** Any event the auth service consumes: all of them are about a user. */
export type ConsumedEvent =
  | TopicEvent<typeof UserEvents>
  | TopicEvent<typeof SessionEvents>
  | TopicEvent<typeof PostEvents>;

/**
 * The activity-log entry of an event: whose it is (the author, for posts) and what it said. Admin actions on an
 * account (`user.banned`, `user.unbanned`, `user.unlocked`) go to that account's log with the admin's id.
 */
export function activityOf(event: ConsumedEvent): ActivityEntry {
  const base = { id: event.id, type: event.type, occurredAt: new Date(event.occurredAt) };
  switch (event.type) {
    case "user.login_failed": {
      const { userId, email, reason } = event.data;
      // Without an account the e-mail names nobody this service serves: keep the count, not the address.
      return userId ? { ...base, userId, data: { email, reason } } : { ...base, data: { reason } };
    }
    case "user.deleted": {
      const { userId, adminId } = event.data;
      // An admin's deletion is an admin action, kept in the admin's log: the account's own log is erased with
      // it, and so is its id here (the erasure's mark, a hash, says which account it was to whoever knows it).
      if (adminId) return { ...base, userId: adminId, data: { account: erasureMark(userId), byAdmin: true } };
      return { ...base, userId, data: { userId } };
    }
    case "post.created":
    case "post.updated":
    case "post.deleted":
      return { ...base, userId: event.data.authorId, data: { ...event.data } };
    default:
      return { ...base, userId: event.data.userId, data: { ...event.data } };
  }
}
