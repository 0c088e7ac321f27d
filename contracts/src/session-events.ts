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

/** An admin banned the account: its sessions are revoked (each with `session.revoked`) and it cannot log in. */
export const UserBanned = defineEvent(
  "user.banned",
  1,
  z.object({
    userId: Id,
    /** The admin who banned it. */
    adminId: Id,
    /** Why, as the admin wrote it (1..500 characters). */
    reason: z.string().min(1).max(500),
  }),
  "An admin banned the account: its sessions are revoked (each with `session.revoked`) and it cannot log in " +
    "or refresh until unbanned. `adminId` names the admin.",
);

/** An admin lifted the account's ban: it may log in again. */
export const UserUnbanned = defineEvent(
  "user.unbanned",
  1,
  z.object({ userId: Id, /** The admin who lifted the ban. */ adminId: Id }),
  "An admin lifted the account's ban: it may log in again. `adminId` names the admin.",
);

/** An admin cleared the account's failed-login throttles. */
export const UserUnlocked = defineEvent(
  "user.unlocked",
  1,
  z.object({ userId: Id, /** The admin who unlocked it. */ adminId: Id }),
  "An admin cleared the account's failed-login throttles (from every address). `adminId` names the admin.",
);

/** `session-events`: logins and revocations, keyed by user id (or the e-mail when there is no user). */
export const SessionEvents = defineTopic({
  name: "session-events",
  events: [UserLoggedIn, UserLoginFailed, SessionRevoked, UserBanned, UserUnbanned, UserUnlocked],
  description: "Logins, session revocations and admins' access decisions (bans, unlocks), published by auth.",
  keyDescription: "user id (the e-mail of a failed login when there is no user)",
  key: (event) => {
    if (event.type === "user.login_failed") return event.data.userId ?? event.data.email ?? "unknown";
    return event.data.userId;
  },
});
