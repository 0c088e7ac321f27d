import type { TopicEvent, UserEvents } from "@chirp/contracts";
import { welcomeMail } from "../../notifications/templates/welcome.ts";
import type { ActivityStore } from "../../stores/activity-store.ts";
import { type NotificationStore, notificationId, pendingNotification } from "../../stores/notification-store.ts";
import type { PostMembershipStore } from "../../stores/post-membership-store.ts";
import { activityOf } from "./activity.ts";

export interface UserEventDeps {
  activity: ActivityStore;
  notifications: NotificationStore;
  memberships: PostMembershipStore;
  /** `PUBLIC_APP_URL`: the links in the e-mails point under it. */
  appUrl: string;
  /** Told when a notification was created, so delivery starts at once rather than at the next scan. */
  onNotification?: () => void;
}

/** The welcome notification of a new account; its id makes a redelivered registration find this one. */
export function welcomeNotification(
  data: { userId: string; name: string; email: string },
  { appUrl, now }: { appUrl: string; now: Date },
) {
  const id = notificationId(data.userId, "welcome");
  return pendingNotification({ id, userId: data.userId, kind: "welcome" }, welcomeMail(appUrl, data), now);
}

/**
 * Logs a chunk of one partition's events; a registration also queues the welcome e-mail (once per user, however
 * often it arrives). Two round trips whatever the chunk's size: the welcome notifications, then the activity
 * entries. Both are facts keyed by natural ids, so a chunk applied again (after a crash, or event by event
 * after a failure) leaves what it wrote the first time.
 */
export async function handleUserEvents(events: readonly TopicEvent<typeof UserEvents>[], deps: UserEventDeps) {
  const now = new Date();
  const welcomes = events.flatMap((event) =>
    event.type === "user.registered" ? [welcomeNotification(event.data, { appUrl: deps.appUrl, now })] : [],
  );
  if ((await deps.notifications.createMany(welcomes)) > 0) deps.onNotification?.();
  await deps.activity.recordMany(events.map(activityOf));
  for (const event of events) if (event.type === "user.deleted") await eraseUser(event.data.userId, deps);
}

/**
 * Erases what auth derived from an account's events, once its profile, credentials and sessions are gone
 * (the route deletes those before `user.deleted` leaves): activity (anonymised, the stats keep counting it),
 * notifications with their addresses, post memberships. Runs on every delivery of the event: each step is a
 * delete or an unset, so a crash halfway is finished by the redelivery.
 */
async function eraseUser(userId: string, deps: UserEventDeps) {
  await deps.notifications.eraseUser(userId);
  await deps.memberships.eraseUser(userId);
  await deps.activity.anonymise(userId);
}

/** One event: the chunk handler's fallback, and what tests drive. */
export const handleUserEvent = (event: TopicEvent<typeof UserEvents>, deps: UserEventDeps) =>
  handleUserEvents([event], deps);
