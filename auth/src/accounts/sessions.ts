import { createEvent, type EventOrigin, SessionEvents, SessionRevoked, UserLoggedIn } from "@chirp/contracts";
import { collections } from "../db.ts";
import type { AuthDeps } from "../deps.ts";
import { newId } from "../ids.ts";
import type { UserRecord } from "../stores/user-store.ts";
import { hashRefreshToken, newRefreshToken } from "../tokens/refresh-tokens.ts";

type Deps = Pick<AuthDeps, "sessions" | "outbox" | "tokens" | "settings">;

/** Admin only for a listed address its owner proved: listing it alone let whoever registered it first be admin. */
export const roleOf = (deps: Pick<AuthDeps, "settings">, user: UserRecord) =>
  user.emailVerified && deps.settings.adminEmails.includes(user.email) ? ("admin" as const) : ("user" as const);

/** Opens a session (emitting `user.logged_in`) and returns its first token pair. */
export async function openSession(
  deps: Deps,
  user: UserRecord,
  origin: EventOrigin,
  userAgent: string | null,
  amr: string[] = ["pwd"],
) {
  const sessionId = newId();
  const refreshToken = newRefreshToken();
  const now = new Date();
  const event = createEvent(UserLoggedIn, { userId: user.id, sessionId }, origin);
  await deps.outbox.record(
    [{ topic: SessionEvents, event }],
    { collection: collections.sessions, ids: [sessionId], expect: "present" },
    () =>
      deps.sessions.create(
        {
          id: sessionId,
          userId: user.id,
          createdAt: now,
          lastUsedAt: now,
          userAgent: userAgent?.slice(0, 300) ?? null,
          amr,
        },
        hashRefreshToken(refreshToken),
        new Date(now.getTime() + deps.settings.refreshTokenTtlMs),
      ),
  );
  return tokenPair(deps, user, { id: sessionId, amr }, refreshToken);
}

export async function tokenPair(
  deps: Deps,
  user: UserRecord,
  session: { id: string; amr?: string[] | undefined },
  refreshToken: string,
) {
  const accessToken = await deps.tokens.issue({
    userId: user.id,
    sessionId: session.id,
    role: roleOf(deps, user),
    emailVerified: user.emailVerified,
    amr: session.amr ?? ["pwd"],
  });
  return {
    accessToken,
    refreshToken,
    tokenType: "Bearer" as const,
    expiresIn: deps.settings.accessTokenTtlSeconds,
  };
}

/** Revokes sessions and emits one `session.revoked` per session. */
export async function revokeSessions(
  deps: Pick<AuthDeps, "sessions" | "outbox">,
  userId: string,
  sessionIds: string[],
  origin: EventOrigin,
) {
  if (sessionIds.length === 0) return;
  const events = sessionIds.map((sessionId) => createEvent(SessionRevoked, { userId, sessionId }, origin));
  await deps.outbox.record(
    events.map((event) => ({ topic: SessionEvents, event })),
    { collection: collections.sessions, ids: sessionIds, expect: "absent" },
    async () => {
      for (const id of sessionIds) await deps.sessions.revoke(id);
    },
  );
}

/**
 * Revokes every live session of the user, one `session.revoked` each ("log out everywhere", a ban): not "all
 * as of now", which compares with token times of second precision, so a login in the same second got tokens
 * the post service refused.
 */
export async function revokeAllSessions(
  deps: Pick<AuthDeps, "sessions" | "outbox">,
  userId: string,
  origin: EventOrigin,
) {
  const sessions = await deps.sessions.listByUser(userId);
  await revokeSessions(
    deps,
    userId,
    sessions.map((session) => session.id),
    origin,
  );
}
