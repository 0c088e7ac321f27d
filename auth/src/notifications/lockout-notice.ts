import { createHash } from "node:crypto";
import type { AuthDeps } from "../deps.ts";
import { pendingNotification } from "../stores/notification-store.ts";
import { lockoutMail } from "./templates/lockout.ts";

export type LockoutNoticeDeps = Pick<AuthDeps, "users" | "notifications" | "settings" | "onNotification">;

/**
 * The notice's id: one per account (by a hash of its e-mail, which the attempt carries, so no user lookup is
 * needed to find it) per throttle window. Its unique insert decides that the owner gets one notice per window
 * however many attempts trip the throttle, on however many instances.
 */
export function lockoutNoticeId(email: string, at: Date, windowMs: number) {
  const account = createHash("sha256").update(email).digest("base64url");
  return `lockout:${account}:${Math.floor(at.getTime() / windowMs)}`;
}

/**
 * Queues the lockout notice of an account whose login throttle tripped, unless this window's notice exists.
 * An unknown e-mail has no owner to tell: nothing is queued. Returns whether this call queued it.
 */
export async function noticeLockout(deps: LockoutNoticeDeps, attempt: { email: string; address: string; at: Date }) {
  const id = lockoutNoticeId(attempt.email, attempt.at, deps.settings.throttle.windowMs);
  // The common case under a flood: this window's notice is queued already, one lookup by id.
  if (await deps.notifications.find(id)) return false;
  const user = await deps.users.findByEmail(attempt.email);
  if (!user) return false;
  const mail = lockoutMail(deps.settings.appUrl, user, attempt);
  const created = await deps.notifications.create(pendingNotification({ id, userId: user.id, kind: "lockout" }, mail));
  if (created) deps.onNotification?.();
  return created;
}
