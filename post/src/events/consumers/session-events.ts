import type { SessionEvents, TopicEvent } from "@chirp/contracts";
import type { RevocationStore } from "../../stores/revocation-store.ts";

export interface SessionEventDeps {
  revocations: RevocationStore;
}

/**
 * Records `session.revoked` (one session, or all of the user's as of the event's time); the store tells
 * every instance. Logins are not this service's concern. Returns whether the event changed anything new.
 */
export async function handleSessionEvent(
  event: TopicEvent<typeof SessionEvents>,
  { revocations }: SessionEventDeps,
): Promise<boolean> {
  if (event.type !== "session.revoked") return false;
  const { data } = event;
  return revocations.record(event.id, {
    userId: data.userId,
    sessionId: "sessionId" in data ? data.sessionId : null,
    revokedAt: new Date(event.occurredAt),
  });
}
