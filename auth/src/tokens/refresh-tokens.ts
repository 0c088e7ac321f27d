/** A new refresh token: 256 random bits, URL-safe. Only its hash is stored. */
export function newRefreshToken(): string {
  return crypto.getRandomValues(new Uint8Array(32)).toBase64({ alphabet: "base64url", omitPadding: true });
}

/**
 * SHA-256 is enough here (no salt, no stretching): the token has 256 bits of entropy, so a leaked hash
 * cannot be turned back into a token, and a fast hash keeps lookups by hash cheap.
 */
export function hashRefreshToken(token: string): string {
  return new Bun.CryptoHasher("sha256").update(token).digest("base64url");
}
