import type { PublicUser, Role } from "@chirp/contracts";
import type { SessionRecord } from "../stores/session-store.ts";
import type { UserRecord } from "../stores/user-store.ts";

/** What anyone may see of a user; everything else (e-mail, hashes, revisions) stays in the service. */
export const publicView = (user: UserRecord, postCount: number): PublicUser => ({
  id: user.id,
  name: user.name,
  bio: user.bio,
  createdAt: user.createdAt.toISOString(),
  postCount,
});

export const ownView = (user: UserRecord, postCount: number, role: Role) => ({
  ...publicView(user, postCount),
  email: user.email,
  emailVerified: user.emailVerified,
  role,
  mfaEnabled: user.mfaEnabled,
});

export const sessionView = (session: SessionRecord, currentId: string) => ({
  id: session.id,
  createdAt: session.createdAt.toISOString(),
  lastUsedAt: session.lastUsedAt.toISOString(),
  userAgent: session.userAgent,
  current: session.id === currentId,
});
