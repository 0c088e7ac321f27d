import type { TopicEvent, UserEvents } from "@chirp/contracts";
import type { AuthorStore } from "../author-store.ts";

export interface UserEventDeps {
  authors: AuthorStore;
}

/**
 * Keeps the authors projection: registrations and updates carry the whole public state, deletion
 * removes the author's posts (announcing each). Returns whether the event changed anything new.
 */
export function handleUserEvent(event: TopicEvent<typeof UserEvents>, { authors }: UserEventDeps): Promise<boolean> {
  const occurredAt = new Date(event.occurredAt);
  switch (event.type) {
    case "user.registered":
      return authors.upsert(event.id, { id: event.data.userId, name: event.data.name, bio: "" }, occurredAt);
    case "user.updated":
      return authors.upsert(
        event.id,
        { id: event.data.userId, name: event.data.name, bio: event.data.bio },
        occurredAt,
      );
    case "user.deleted":
      // The cascade's post.deleted events carry the deletion's correlation id, so they trace back to it.
      return authors.remove(event.id, event.data.userId, occurredAt, {
        source: "post",
        correlationId: event.correlationId,
      });
  }
}
