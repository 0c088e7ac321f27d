import type { SessionEvents, TopicEvent } from "@chirp/contracts";
import type { ActivityStore } from "../../stores/activity-store.ts";
import { activityOf } from "./activity.ts";

export interface SessionEventDeps {
  activity: ActivityStore;
}

/** Logins, failed logins and revocations go to the activity log (a redelivery is a duplicate insert). */
export async function handleSessionEvent(event: TopicEvent<typeof SessionEvents>, deps: SessionEventDeps) {
  await deps.activity.record(activityOf(event));
}
