import type { AuthDeps } from "./deps.ts";
import { RetryLaterError } from "./errors.ts";
import { newId } from "./ids.ts";
import type { LoginFailure, LoginFailureStore } from "./stores/login-failure-store.ts";

export interface ThrottleLimits {
  windowMs: number;
  perAccount: number;
  perAddress: number;
}

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
 * limit of attempts fell within the window, for its account and for its address. Returns the seconds to wait
 * (0: go ahead; the fact then stays and counts as a failure unless the login succeeds).
 *
 * Recording first is what makes the bound hold under concurrency: checking and then recording let concurrent
 * attempts pass the check together (an e2e run saw 72 password checks where the window allowed 5). Now, of the
 * attempts let through in a window, the one recorded last counted all the others, so at most `limit` pass.
 * A refused attempt removes its own fact (by `_id`), so hammering a throttled account does not extend its wait.
 */
export async function claimAttempt(store: LoginFailureStore, limits: ThrottleLimits, attempt: LoginFailure) {
  await store.record(attempt);
  const now = attempt.at.getTime();
  const since = new Date(now - limits.windowMs);
  // One more than the limit, so the others can reach the limit whether or not this attempt is among the newest.
  const [byAccount, byAddress] = await Promise.all([
    store.recent({ email: attempt.email }, since, limits.perAccount + 1),
    store.recent({ address: attempt.address }, since, limits.perAddress + 1),
  ]);
  const others = (facts: { id: string; at: Date }[]) => facts.filter((f) => f.id !== attempt.id).map((f) => f.at);
  // Waiting until the limit-th newest other attempt leaves the window is exactly "with this one, over the limit".
  const wait = Math.max(
    retryAfterSeconds(others(byAccount), limits.perAccount, limits.windowMs, now),
    retryAfterSeconds(others(byAddress), limits.perAddress, limits.windowMs, now),
  );
  if (wait > 0) await store.remove(attempt.id);
  return wait;
}

/**
 * Checks the caller's current password (changing it, deleting the account) through the login throttle, so a
 * stolen access token cannot guess it faster than a login could: a wrong one counts as a failed login of the
 * account from the caller's address; past the limits the answer is 429 before any hashing. A right one
 * withdraws its own attempt.
 */
export async function verifyCurrentPassword(
  deps: Pick<AuthDeps, "loginFailures" | "settings" | "hasher" | "users">,
  caller: { userId: string; email: string; address: string },
  password: string,
): Promise<boolean> {
  const attempt = { id: newId(), email: caller.email, address: caller.address, at: new Date() };
  const wait = await claimAttempt(deps.loginFailures, deps.settings.throttle, attempt);
  if (wait > 0) throw new RetryLaterError(429, wait, "Too many wrong passwords; try again later.");
  const verified = await deps.hasher.verify(password, await deps.users.passwordHash(caller.userId));
  if (verified) await deps.loginFailures.remove(attempt.id);
  return verified;
}
