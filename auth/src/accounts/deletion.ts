import {
  createEvent,
  type EventOrigin,
  SessionEvents,
  SessionRevoked,
  UserDeleted,
  UserEvents,
} from "@chirp/contracts";
import { collections } from "../db.ts";
import type { AuthDeps } from "../deps.ts";

type Deps = Pick<AuthDeps, "users" | "sessions" | "loginFailures" | "bans" | "outbox" | "oneTimeTokens" | "mfa">;

/**
 * Deletes an account, by its owner or by an admin (`adminId`): the profile, credentials and sessions with
 * `user.deleted` and `session.revoked` through the outbox, then what no event lets a consumer erase (the
 * failed logins, kept by e-mail; a ban; outstanding one-time links; the TOTP secret and recovery codes). The rest (activity, notifications, post memberships) is erased by
 * auth's own consumer of `user.deleted`.
 */
export async function deleteAccount(
  deps: Deps,
  user: { id: string; email: string },
  origin: EventOrigin,
  adminId?: string,
) {
  const userId = user.id;
  const sessions = await deps.sessions.listByUser(userId);
  await deps.outbox.record(
    [
      { topic: UserEvents, event: createEvent(UserDeleted, { userId, ...(adminId ? { adminId } : {}) }, origin) },
      { topic: SessionEvents, event: createEvent(SessionRevoked, { userId, all: true }, origin) },
    ],
    // The profile goes first, so "the profile is gone" tells a sweeper the deletion happened.
    { collection: collections.users, ids: [userId], expect: "absent" },
    async () => {
      await deps.users.remove(userId);
      for (const session of sessions) await deps.sessions.revoke(session.id);
    },
  );
  await deps.loginFailures.forget({ email: user.email });
  await deps.bans.lift(userId);
  await deps.oneTimeTokens.revoke(userId);
  await deps.mfa.erase(userId);
}
