/** A new opaque id: 128 random bits, URL-safe. */
export function newId(): string {
  return crypto.getRandomValues(new Uint8Array(16)).toBase64({ alphabet: "base64url", omitPadding: true });
}

/** Normalises an e-mail address for storage and lookup (the unique index is on this form). */
export const normaliseEmail = (email: string) => email.trim().toLowerCase();
