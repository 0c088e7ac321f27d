import type { AuthDeps } from "../deps.ts";
import type { UserRecord } from "../stores/user-store.ts";

/**
 * What an admin sees of a page of users: the profile, the ban in force, and the failed-login throttle's state,
 * read for the whole page at once (one query per store, not one per user). Verification and MFA state join
 * here as further fields of the user record once the service keeps them.
 */
export async function adminUserViews(deps: Pick<AuthDeps, "bans" | "loginFailures" | "settings">, users: UserRecord[]) {
  const limits = deps.settings.throttle;
  const [bans, tallies] = await Promise.all([
    deps.bans.findMany(users.map((user) => user.id)),
    deps.loginFailures.tally(
      users.map((user) => user.email),
      new Date(Date.now() - limits.windowMs),
    ),
  ]);
  const banOf = new Map(bans.map((ban) => [ban.userId, ban]));
  return users.map((user) => {
    const ban = banOf.get(user.id);
    const tally = tallies.get(user.email) ?? { failures: 0, mostFromOneAddress: 0 };
    return {
      id: user.id,
      name: user.name,
      email: user.email,
      createdAt: user.createdAt.toISOString(),
      ban: ban ? { reason: ban.reason, adminId: ban.adminId, at: ban.at.toISOString() } : null,
      throttle: {
        failedLogins: tally.failures,
        throttled: tally.mostFromOneAddress >= limits.perAccount || tally.failures >= limits.accountSlowdownAfter,
      },
    };
  });
}
