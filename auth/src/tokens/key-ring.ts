import { exportJWK, exportPKCS8, generateKeyPair, importJWK, importPKCS8, type JWK } from "jose";
import { newId } from "../ids.ts";
import type { KeyCipher } from "./key-cipher.ts";
import type { KeyStore, StoredKey } from "./key-store.ts";

export const signingAlgorithm = "EdDSA";

export interface KeyRingOptions {
  store: KeyStore;
  cipher: KeyCipher;
  /** Age at which the current key is replaced. */
  rotationMs: number;
  /** Lifetime of the tokens a key signs: a retired key stays published this long (plus a margin). */
  tokenTtlMs: number;
  now?: () => number;
}

export interface KeyRing {
  /** Loads the keys; creates the first or the next one when the current is missing or due. */
  sync(): Promise<void>;
  /** Makes a new current key now (the store decides if another instance got there first). */
  rotate(): Promise<void>;
  signingKey(): Promise<{ kid: string; key: CryptoKey }>;
  /** The public key of `kid` if it is still published; reloads once in case another instance rotated. */
  verificationKey(kid: string): Promise<CryptoKey | null>;
  jwks(): { keys: JWK[] };
}

/**
 * Instances may sign with a key for one sync interval after another instance rotated, so retired keys stay
 * published a little longer than the token lifetime.
 */
const retentionMarginMs = 5 * 60_000;
const reloadCooldownMs = 1000;

/** The signing keys, shared by every instance through the store; the newest generation is current. */
export function createKeyRing(options: KeyRingOptions): KeyRing {
  const { store, cipher } = options;
  const now = options.now ?? Date.now;
  let keys: StoredKey[] = [];
  let published: StoredKey[] = [];
  const publicKeys = new Map<string, CryptoKey>();
  let signing: { kid: string; key: CryptoKey } | undefined;
  let lastReload = 0;

  async function reload() {
    lastReload = now();
    keys = await store.latest(20);
    // A key retires when its successor is created; it stays published while its tokens can be alive.
    published = keys.filter((_key, index) => {
      const successor = keys[index - 1];
      return !successor || successor.createdAt.getTime() + options.tokenTtlMs + retentionMarginMs > now();
    });
    const current = keys[0];
    if (current && signing?.kid !== current.kid) {
      const pem = await cipher.decrypt(current.privateKey, current.kid);
      signing = { kid: current.kid, key: await importPKCS8(pem, signingAlgorithm) };
    }
  }

  async function create(generation: number) {
    const pair = await generateKeyPair(signingAlgorithm, { crv: "Ed25519", extractable: true });
    const kid = newId();
    const publicJwk = { ...(await exportJWK(pair.publicKey)), kid, alg: signingAlgorithm, use: "sig" };
    const privateKey = await cipher.encrypt(await exportPKCS8(pair.privateKey), kid);
    // A lost race is fine: the winner's key is current for everyone after the reload.
    await store.insert({ kid, generation, createdAt: new Date(now()), publicJwk, privateKey });
    await reload();
  }

  async function prune() {
    const kept = new Set(published.map((key) => key.kid));
    for (const key of keys) if (!kept.has(key.kid)) await store.remove(key.kid);
  }

  return {
    async sync() {
      await reload();
      const current = keys[0];
      if (!current) await create(1);
      else if (current.createdAt.getTime() + options.rotationMs <= now()) await create(current.generation + 1);
      await prune();
    },
    async rotate() {
      await reload();
      await create((keys[0]?.generation ?? 0) + 1);
    },
    async signingKey() {
      if (!signing) await reload();
      if (!signing) throw new Error("no signing key yet: sync() the key ring first");
      return signing;
    },
    async verificationKey(kid) {
      let key = published.find((candidate) => candidate.kid === kid);
      if (!key && now() - lastReload >= reloadCooldownMs) {
        await reload();
        key = published.find((candidate) => candidate.kid === kid);
      }
      if (!key) return null;
      let imported = publicKeys.get(kid);
      if (!imported) {
        imported = (await importJWK(key.publicJwk, signingAlgorithm)) as CryptoKey;
        publicKeys.set(kid, imported);
      }
      return imported;
    },
    jwks: () => ({ keys: published.map((key) => key.publicJwk) }),
  };
}
