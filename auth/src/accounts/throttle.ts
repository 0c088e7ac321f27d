import type { AuthDeps } from "../deps.ts";
import { RetryLaterError } from "../errors.ts";
import { newId } from "../ids.ts";
import { type LockoutNoticeDeps, noticeLockout } from "../notifications/lockout-notice.ts";
import type { AddressAttempt, AddressAttemptStore } from "../stores/address-attempt-store.ts";
import type { LoginFailure, LoginFailureStore } from "../stores/login-failure-store.ts";

export interface ThrottleLimits {
  windowMs: number;
  /** Failures for one account from one client address: past it that address is refused for that account. */
  perAccount: number;
  /** Failures from one client address, whatever the accounts: past it the address is refused. */
  perAddress: number;
  /** Failures for one account from all addresses past which each check of it is slowed, never refused. */
  accountSlowdownAfter: number;
  accountSlowdownMs: number;
}

/** What `claimAttempt` needs of the failed-login facts. */
export type AttemptFacts = Pick<LoginFailureStore, "record" | "recent" | "remove">;

/**
 * Seconds until one more attempt is allowed, given the newest failures (newest first): 0 while fewer than
 * `max` fell within the window; otherwise until the `max`-th newest leaves it.
 */
export function retryAfterSeconds(newestFirst: readonly Date[], max: number, windowMs: number, now: number): number {
  const inWindow = newestFirst.filter((at) => at.getTime() > now - windowMs);
  const gate = inWindow[max - 1];
  if (!gate) return 0;
  return Math.max(1, Math.ceil((gate.getTime() + windowMs - now) / 1000));
}

/**
 * Records a login attempt, then counts: it may go on to the password check only while, with it, at most the
 * limit of attempts fell within the window, for its account from its address and for its address. Returns
 * the seconds to wait (0: go ahead; the fact then stays and counts as a failure unless the login succeeds),
 * and how long to slow the check down when the account as a whole draws many failures.
 *
 * Refusing by account alone handed attackers a lockout: five wrong passwords from anywhere refused the owner
 * too, for the whole window. Now the owner from another address is never refused; a flood against the
 * account only slows every check of it (`accountSlowdownMs`), which bounds the guessing rate all the same.
 *
 * Recording first is what makes the bound hold under concurrency: checking and then recording let concurrent
 * attempts pass the check together (an e2e run saw 72 password checks where the window allowed 5). Now, of the
 * attempts let through in a window, the one recorded last counted all the others, so at most `limit` pass.
 * A refused attempt removes its own fact (by `_id`), so hammering a throttled account does not extend its wait.
 */
export async function claimAttempt(store: AttemptFacts, limits: ThrottleLimits, attempt: LoginFailure) {
  await store.record(attempt);
  const now = attempt.at.getTime();
  const since = new Date(now - limits.windowMs);
  const { email, address } = attempt;
  // One more than the limit, so the others can reach the limit whether or not this attempt is among the newest.
  const [byAccountAndAddress, byAddress, byAccount] = await Promise.all([
    store.recent({ email, address }, since, limits.perAccount + 1),
    store.recent({ address }, since, limits.perAddress + 1),
    store.recent({ email }, since, limits.accountSlowdownAfter + 1),
  ]);
  const others = (facts: { id: string; at: Date }[]) => facts.filter((f) => f.id !== attempt.id).map((f) => f.at);
  // Waiting until the limit-th newest other attempt leaves the window is exactly "with this one, over the limit".
  const accountWait = retryAfterSeconds(others(byAccountAndAddress), limits.perAccount, limits.windowMs, now);
  const wait = Math.max(accountWait, retryAfterSeconds(others(byAddress), limits.perAddress, limits.windowMs, now));
  if (wait > 0) await store.remove(attempt.id);
  const slowed = others(byAccount).length >= limits.accountSlowdownAfter;
  // The account's own limits (not the address's, which says nothing about this account) are what its owner hears of.
  return {
    wait,
    delayMs: wait === 0 && slowed ? limits.accountSlowdownMs : 0,
    accountTripped: accountWait > 0 || slowed,
  };
}

/**
 * `claimAttempt` for a login or a current-password check, which also tells the account's owner when the
 * account's throttle trips (a lockout notice, at most one per window).
 */
export async function claimLoginAttempt(
  deps: LockoutNoticeDeps & Pick<AuthDeps, "loginFailures">,
  attempt: LoginFailure,
) {
  const claim = await claimAttempt(deps.loginFailures, deps.settings.throttle, attempt);
  if (claim.accountTripped) await noticeLockout(deps, attempt);
  return claim;
}

/** At most `max` attempts at an action from one address within `windowMs`. */
export interface AddressLimit {
  max: number;
  windowMs: number;
}

/**
 * Records an attempt at an action from an address and answers 429 when, with it, more than `limit.max` fell
 * within the window (recording first holds the bound under concurrency, as for logins). A refused attempt
 * removes its own fact, so hammering does not extend the wait; one let through stays, success or not.
 */
export async function claimAddressAttempt(
  store: AddressAttemptStore,
  limit: AddressLimit,
  by: Pick<AddressAttempt, "action" | "address">,
) {
  const attempt: AddressAttempt = { id: newId(), ...by, at: new Date() };
  await store.record(attempt);
  const now = attempt.at.getTime();
  const recent = await store.recent(
    { action: attempt.action, address: attempt.address },
    new Date(now - limit.windowMs),
    limit.max + 1,
  );
  const others = recent.filter((fact) => fact.id !== attempt.id).map((fact) => fact.at);
  const wait = retryAfterSeconds(others, limit.max, limit.windowMs, now);
  if (wait === 0) return;
  await store.remove(attempt.id);
  throw new RetryLaterError(429, wait, "Too many attempts from this address; try again later.");
}

/**
 * Checks the caller's current password (changing it, deleting the account) through the login throttle, so a
 * stolen access token cannot guess it faster than a login could: a wrong one counts as a failed login of the
 * account from the caller's address; past the limits the answer is 429 before any hashing. A right one
 * withdraws its own attempt.
 */
export async function verifyCurrentPassword(
  deps: LockoutNoticeDeps & Pick<AuthDeps, "loginFailures" | "hasher">,
  caller: { userId: string; email: string; address: string },
  password: string,
): Promise<boolean> {
  const attempt = { id: newId(), email: caller.email, address: caller.address, at: new Date() };
  const { wait, delayMs } = await claimLoginAttempt(deps, attempt);
  if (wait > 0) throw new RetryLaterError(429, wait, "Too many wrong passwords; try again later.");
  if (delayMs > 0) await Bun.sleep(delayMs);
  const verified = await deps.hasher.verify(password, await deps.users.passwordHash(caller.userId));
  if (verified) await deps.loginFailures.remove(attempt.id);
  return verified;
}
