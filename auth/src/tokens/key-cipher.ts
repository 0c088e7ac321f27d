/** Encrypts signing keys at rest with AES-256-GCM under a key derived from the configured secret. */
export interface KeyCipher {
  encrypt(plaintext: string, context: string): Promise<SealedText>;
  decrypt(sealed: SealedText, context: string): Promise<string>;
}

/** Ciphertext and nonce, base64. */
export interface SealedText {
  iv: string;
  data: string;
}

const encoder = new TextEncoder();

/**
 * Derives the AES key with HKDF so the secret can be any long string; `context` (the key id) is bound as
 * additional data, so a sealed key cannot be swapped onto another key's record.
 */
export async function createKeyCipher(secret: string): Promise<KeyCipher> {
  const material = await crypto.subtle.importKey("raw", encoder.encode(secret), "HKDF", false, ["deriveKey"]);
  const key = await crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: encoder.encode("chirp-auth/signing-keys"), info: new Uint8Array() },
    material,
    { name: "AES-GCM", length: 256 },
    false,
    ["encrypt", "decrypt"],
  );
  return {
    async encrypt(plaintext, context) {
      const iv = crypto.getRandomValues(new Uint8Array(12));
      const data = await crypto.subtle.encrypt(
        { name: "AES-GCM", iv, additionalData: encoder.encode(context) },
        key,
        encoder.encode(plaintext),
      );
      return { iv: iv.toBase64(), data: new Uint8Array(data).toBase64() };
    },
    async decrypt(sealed, context) {
      const plain = await crypto.subtle.decrypt(
        { name: "AES-GCM", iv: Uint8Array.fromBase64(sealed.iv), additionalData: encoder.encode(context) },
        key,
        Uint8Array.fromBase64(sealed.data),
      );
      return new TextDecoder().decode(plain);
    },
  };
}
