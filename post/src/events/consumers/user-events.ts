import type { TopicEvent, UserEvents } from "@chirp/contracts";
import type { AuthorChange, AuthorStore } from "../../stores/author-store.ts";

export interface UserEventDeps {
  authors: AuthorStore;
}

type UserEvent = TopicEvent<typeof UserEvents>;

/**
 * What an event changes in the authors projection: registrations and updates carry the whole public
 * state, deletion removes the author's posts (announcing each).
 */
export function authorChange(event: UserEvent): AuthorChange {
  const base = { eventId: event.id, occurredAt: new Date(event.occurredAt) };
  switch (event.type) {
    case "user.registered":
      return { ...base, kind: "upsert", author: { id: event.data.userId, name: event.data.name, bio: "" } };
    case "user.updated":
      return { ...base, kind: "upsert", author: { id: event.data.userId, name: event.data.name, bio: event.data.bio } };
    case "user.deleted":
      // The cascade's post.deleted events carry the deletion's correlation id, so they trace back to it.
      return {
        ...base,
        kind: "remove",
        authorId: event.data.userId,
        origin: { source: "post", correlationId: event.correlationId },
      };
  }
}

/** Keeps the authors projection, one event. Returns whether the event changed anything new. */
export function handleUserEvent(event: UserEvent, { authors }: UserEventDeps): Promise<boolean> {
  const change = authorChange(event);
  return change.kind === "upsert"
    ? authors.upsert(change.eventId, change.author, change.occurredAt)
    : authors.remove(change.eventId, change.authorId, change.occurredAt, change.origin);
}

/** Keeps the authors projection, events of one partition in order, at once. Returns how many were new. */
export function handleUserEvents(events: readonly UserEvent[], { authors }: UserEventDeps): Promise<number> {
  return authors.applyAll(events.map(authorChange));
}
