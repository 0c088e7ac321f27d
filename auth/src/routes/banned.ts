import type { EventOrigin } from "@chirp/contracts";
import { HTTPException } from "hono/http-exception";
import { revokeAllSessions } from "../accounts/sessions.ts";
import type { AuthDeps } from "../deps.ts";

const banned = () => new HTTPException(403, { message: "This account is banned." });

/** 403 for a banned account: asked only once its credentials were proven, so a ban is not told to strangers. */
export async function refuseBanned(deps: Pick<AuthDeps, "bans">, userId: string) {
  if (await deps.bans.find(userId)) throw banned();
}

/**
 * Asked again once a login opened its session: a ban that landed between the first check and the session's
 * insert listed the sessions before this one existed, so it is revoked here (with the rest), and the login
 * refused. One of the two always sees the other: the ban is inserted before its sessions are listed, the
 * session before the ban is read again.
 */
export async function revokeIfBanned(
  deps: Pick<AuthDeps, "bans" | "sessions" | "outbox">,
  userId: string,
  origin: EventOrigin,
) {
  if (!(await deps.bans.find(userId))) return;
  await revokeAllSessions(deps, userId, origin);
  throw banned();
}
