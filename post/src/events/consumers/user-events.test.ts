import { describe, expect, test } from "bun:test";
import { createEvent, UserDeleted, UserRegistered, UserUpdated } from "@chirp/contracts";
import type { AuthorStore } from "../../stores/author-store.ts";
import { handleUserEvent, handleUserEvents } from "./user-events.ts";

function recordingStore() {
  const calls: unknown[] = [];
  const authors: AuthorStore = {
    upsert: async (...args) => calls.push(["upsert", ...args]) > 0,
    remove: async (...args) => calls.push(["remove", ...args]) > 0,
    applyAll: async (changes) => calls.push(["applyAll", changes]) && changes.length,
  };
  return { authors, calls };
}

describe("handleUserEvent, without a broker", () => {
  const origin = { source: "auth", correlationId: "req-9" } as const;
  const now = new Date("2026-11-22T10:00:00.000Z");

  test("projects registrations and updates with the event's time, for the stale check", async () => {
    const { authors, calls } = recordingStore();
    const registered = createEvent(UserRegistered, { userId: "u1", name: "Ada", email: "a@example.com" }, origin, now);
    const updated = createEvent(UserUpdated, { userId: "u1", name: "Ada L.", bio: "hi" }, origin, now);
    await handleUserEvent(registered, { authors });
    await handleUserEvent(updated, { authors });
    expect(calls).toEqual([
      ["upsert", registered.id, { id: "u1", name: "Ada", bio: "" }, now],
      ["upsert", updated.id, { id: "u1", name: "Ada L.", bio: "hi" }, now],
    ]);
  });

  test("removes a deleted user's posts, carrying the deletion's correlation id", async () => {
    const { authors, calls } = recordingStore();
    const deleted = createEvent(UserDeleted, { userId: "u1" }, origin, now);
    await handleUserEvent(deleted, { authors });
    expect(calls).toEqual([["remove", deleted.id, "u1", now, { source: "post", correlationId: "req-9" }]]);
  });

  test("hands a chunk to the store as one ordered list of the same changes", async () => {
    const { authors, calls } = recordingStore();
    const registered = createEvent(UserRegistered, { userId: "u1", name: "Ada", email: "a@example.com" }, origin, now);
    const deleted = createEvent(UserDeleted, { userId: "u1" }, origin, now);
    const updated = createEvent(UserUpdated, { userId: "u2", name: "Bo", bio: "b" }, origin, now);
    expect(await handleUserEvents([registered, deleted, updated], { authors })).toBe(3);
    expect(calls).toEqual([
      [
        "applyAll",
        [
          { kind: "upsert", eventId: registered.id, author: { id: "u1", name: "Ada", bio: "" }, occurredAt: now },
          {
            kind: "remove",
            eventId: deleted.id,
            authorId: "u1",
            occurredAt: now,
            origin: { source: "post", correlationId: "req-9" },
          },
          { kind: "upsert", eventId: updated.id, author: { id: "u2", name: "Bo", bio: "b" }, occurredAt: now },
        ],
      ],
    ]);
  });
});
