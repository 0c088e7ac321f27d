import { z } from "zod";
import { defineEvent } from "./envelope.ts";
import { Id } from "./ids.ts";
import { defineTopic } from "./topic.ts";

/** A login succeeded and opened a session. */
export const UserLoggedIn = defineEvent(
  "user.logged_in",
  1,
  z.object({ userId: Id, sessionId: Id }),
  "A login succeeded and opened a session.",
);

/** A login was refused. `userId` is set when the e-mail belongs to an account. */
export const UserLoginFailed = defineEvent(
  "user.login_failed",
  1,
  z.object({
    userId: Id.optional(),
    email: z.string().max(320).optional(),
    reason: z.enum(["unknown_email", "wrong_password", "throttled"]),
  }),
  "A login was refused. `userId` is set when the e-mail belongs to an account.",
);

/**
 * Sessions were revoked: one (`sessionId`) or every session of the user (`all: true`).
 * Access tokens of a revoked session must stop working before they expire.
 */
export const SessionRevoked = defineEvent(
  "session.revoked",
  1,
  z.union([z.object({ userId: Id, sessionId: Id }).strict(), z.object({ userId: Id, all: z.literal(true) }).strict()]),
  "Sessions were revoked: one (`sessionId`) or every session of the user (`all: true`). " +
    "Access tokens of a revoked session must stop working before they expire.",
);

/** `session-events`: logins and revocations, keyed by user id (or the e-mail when there is no user). */
export const SessionEvents = defineTopic({
  name: "session-events",
  events: [UserLoggedIn, UserLoginFailed, SessionRevoked],
  description: "Logins and session revocations, published by auth.",
  keyDescription: "user id (the e-mail of a failed login when there is no user)",
  key: (event) => {
    if (event.type === "user.login_failed") return event.data.userId ?? event.data.email ?? "unknown";
    return event.data.userId;
  },
});
