import type { LoginFailureStore } from "./stores/login-failure-store.ts";

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

/** The longer wait of the account's and the address's limits (0 when the attempt may go ahead). */
export async function loginWait(
  store: LoginFailureStore,
  limits: ThrottleLimits,
  attempt: { email: string; address: string },
  now = Date.now(),
): Promise<number> {
  const since = new Date(now - limits.windowMs);
  const [byAccount, byAddress] = await Promise.all([
    store.recent({ email: attempt.email }, since, limits.perAccount),
    store.recent({ address: attempt.address }, since, limits.perAddress),
  ]);
  return Math.max(
    retryAfterSeconds(byAccount, limits.perAccount, limits.windowMs, now),
    retryAfterSeconds(byAddress, limits.perAddress, limits.windowMs, now),
  );
}
