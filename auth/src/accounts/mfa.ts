import { Secret, TOTP } from "otpauth";
import type { AuthDeps } from "../deps.ts";
import type { KeyCipher } from "../tokens/key-cipher.ts";
import { hashRefreshToken } from "../tokens/refresh-tokens.ts";

/** RFC 6238 as every authenticator app reads it: SHA-1, 6 digits, 30-second steps. */
const totpParams = { algorithm: "SHA1", digits: 6, period: 30 } as const;
const issuer = "Chirp";
const recoveryCodeCount = 10;

type Deps = Pick<AuthDeps, "mfa" | "cipher">;

const totp = (secret: string) => new TOTP({ ...totpParams, secret: Secret.fromBase32(secret) });
/** Bound to its user as additional data, so a sealed secret cannot be moved onto another account's record. */
const context = (userId: string) => `totp:${userId}`;
const seal = (cipher: KeyCipher, userId: string, secret: string) => cipher.encrypt(secret, context(userId));

/**
 * The time step a code belongs to, or null: the current step or one either side (clock drift), the code
 * compared in constant time by otpauth.
 */
export function totpStep(secret: string, code: string, now = Date.now()): number | null {
  const delta = totp(secret).validate({ token: code, timestamp: now, window: 1 });
  return delta === null ? null : Math.floor(now / 1000 / totpParams.period) + delta;
}

/** Recovery codes are compared by hash, ignoring case and dashes as people type them. */
export const recoveryCodeHash = (code: string) => hashRefreshToken(code.replaceAll("-", "").toLowerCase());

/** A new secret (160 bits, the RFC's recommendation for SHA-1), kept pending until a code from it enables it. */
export async function setUpTotp(deps: Deps, user: { id: string; email: string }) {
  const secret = new Secret({ size: 20 }).base32;
  await deps.mfa.setPending(user.id, await seal(deps.cipher, user.id, secret));
  const url = new TOTP({ ...totpParams, issuer, label: user.email, secret: Secret.fromBase32(secret) }).toString();
  return { secret, otpauthUrl: url };
}

/**
 * Enables the pending secret when `code` comes from it, and returns the recovery codes (shown once, stored as
 * hashes); null for a wrong code or no pending setup, "enabled" when MFA is on already.
 */
export async function enableTotp(deps: Deps, userId: string, code: string) {
  const sealed = await deps.mfa.pending(userId);
  if (!sealed) return null;
  const secret = await deps.cipher.decrypt(sealed, context(userId));
  const step = totpStep(secret, code);
  if (step === null || !(await deps.mfa.spendStep(userId, step))) return null;
  const codes = Array.from({ length: recoveryCodeCount }, () => {
    const raw = crypto.getRandomValues(new Uint8Array(10)).toHex();
    return `${raw.slice(0, 5)}-${raw.slice(5, 10)}-${raw.slice(10, 15)}-${raw.slice(15)}`;
  });
  const enabled = await deps.mfa.enable(userId, sealed, codes.map(recoveryCodeHash));
  return enabled ? codes : ("enabled" as const);
}

/**
 * Checks a second factor of a user whose MFA is on: a TOTP code (accepted once: its time step is spent), or
 * a recovery code (spent as it is used). False for anything else.
 */
export async function checkSecondFactor(deps: Deps, userId: string, proof: { code?: string; recoveryCode?: string }) {
  if (proof.recoveryCode) return deps.mfa.spendRecoveryCode(userId, recoveryCodeHash(proof.recoveryCode));
  const sealed = await deps.mfa.active(userId);
  if (!sealed || !proof.code) return false;
  const step = totpStep(await deps.cipher.decrypt(sealed, context(userId)), proof.code);
  return step !== null && deps.mfa.spendStep(userId, step);
}
