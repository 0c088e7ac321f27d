import { describe, expect, test } from "bun:test";
import { createEvent, PostDeleted, UserLoginFailed } from "@chirp/contracts";
import { activityOf } from "./activity.ts";

const origin = { source: "auth" } as const;

describe("activityOf", () => {
  test("files a failed login for an unknown e-mail under nobody and drops the address", () => {
    const event = createEvent(UserLoginFailed, { email: "who@example.com", reason: "unknown_email" }, origin);
    const entry = activityOf(event);
    expect(entry).toEqual({
      id: event.id,
      type: "user.login_failed",
      occurredAt: new Date(event.occurredAt),
      data: { reason: "unknown_email" },
    });
    expect("userId" in entry).toBe(false);
  });

  test("files a failed login of an account under that account", () => {
    const event = createEvent(
      UserLoginFailed,
      { userId: "u1", email: "a@example.com", reason: "wrong_password" },
      origin,
    );
    expect(activityOf(event)).toMatchObject({
      userId: "u1",
      data: { email: "a@example.com", reason: "wrong_password" },
    });
  });

  test("files post events under their author", () => {
    const event = createEvent(PostDeleted, { postId: "p1", authorId: "u2" }, { source: "post" });
    expect(activityOf(event)).toMatchObject({
      userId: "u2",
      type: "post.deleted",
      data: { postId: "p1", authorId: "u2" },
    });
  });
});
