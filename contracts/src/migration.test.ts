import { describe, expect, test } from "bun:test";
import { z } from "zod";
import { createEvent, defineEvent } from "./envelope.ts";
import { Id } from "./ids.ts";
import { createTwinEvent } from "./migration.ts";
import { UserDeleted, UserRegistered } from "./user-events.ts";

// An example next version, defined here so the real contract does not change.
const UserRegisteredV2 = defineEvent(
  "user.registered",
  2,
  z.object({ userId: Id, firstName: z.string().min(1), lastName: z.string(), email: z.email() }),
);
const v1 = createEvent(
  UserRegistered,
  { userId: "u1", name: "Ada Lovelace", email: "ada@example.com" },
  { source: "auth", correlationId: "r1" },
);

describe("createTwinEvent", () => {
  test("carries the same change in another version: same id, time, source and correlation id", () => {
    const v2 = createTwinEvent(
      UserRegisteredV2,
      { userId: "u1", firstName: "Ada", lastName: "Lovelace", email: "ada@example.com" },
      v1,
    );
    expect(v2).toEqual({
      id: v1.id,
      type: "user.registered",
      version: 2,
      occurredAt: v1.occurredAt,
      source: "auth",
      correlationId: "r1",
      data: { userId: "u1", firstName: "Ada", lastName: "Lovelace", email: "ada@example.com" },
    });
  });

  test("refuses another event type and invalid data", () => {
    expect(() => createTwinEvent(UserDeleted, { userId: "u1" }, v1)).toThrow("must be a user.registered");
    expect(() =>
      createTwinEvent(UserRegisteredV2, { userId: "u1", firstName: "", lastName: "", email: "x" }, v1),
    ).toThrow();
  });
});
