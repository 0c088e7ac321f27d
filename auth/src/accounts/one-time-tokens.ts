import type { OneTimeTokenKind, OneTimeTokenStore } from "../stores/one-time-token-store.ts";
import { hashRefreshToken, newRefreshToken } from "../tokens/refresh-tokens.ts";

/** How long each kind of token lives (ARCHITECTURE.md, "Accounts, v2"). */
export const oneTimeTokenTtlMs: Record<OneTimeTokenKind, number> = {
  "verify-email": 24 * 3_600_000,
  "reset-password": 30 * 60_000,
  // It proves the new address as a verification does.
  "change-email": 24 * 3_600_000,
  // The second step of a login with MFA on: the password was right a moment ago.
  "mfa-login": 5 * 60_000,
};

/** Spent facts outlive every token they could be replayed against. */
export const spentRetentionMs = Math.max(...Object.values(oneTimeTokenTtlMs));

/**
 * Issues a token of `kind` for the user about `email` and returns its secret: 256 bits from the CSPRNG (as a
 * refresh token), stored as its SHA-256 only. Issuing supersedes the user's older tokens of the kind.
 */
export async function issueOneTimeToken(
  store: OneTimeTokenStore,
  subject: { userId: string; email: string },
  kind: OneTimeTokenKind,
  now = new Date(),
): Promise<string> {
  const secret = newRefreshToken();
  await store.issue({
    hash: hashRefreshToken(secret),
    ...subject,
    kind,
    issuedAt: now,
    expiresAt: new Date(now.getTime() + oneTimeTokenTtlMs[kind]),
  });
  return secret;
}

/**
 * Redeems a token of `kind`: its record when it was issued, is of that kind, has not expired, was not
 * superseded, and this call spent it (the first spend wins); null otherwise, whatever the reason.
 */
export async function redeemOneTimeToken(store: OneTimeTokenStore, secret: string, kind: OneTimeTokenKind) {
  const now = new Date();
  const token = await store.find(hashRefreshToken(secret));
  if (!token || token.kind !== kind || token.expiresAt.getTime() <= now.getTime()) return null;
  return (await store.spend(token.hash, now)) ? token : null;
}
