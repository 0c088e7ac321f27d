import type { JWK } from "jose";
import type { Db } from "mongodb";
import { collections, isDuplicateKey } from "../db.ts";
import type { SealedText } from "./key-cipher.ts";

/** A signing key as stored: the public half in clear, the private half sealed. */
export interface StoredKey {
  kid: string;
  /** 1, 2, 3...: unique, so two instances rotating at once cannot both create generation n. */
  generation: number;
  createdAt: Date;
  publicJwk: JWK;
  privateKey: SealedText;
}

export interface KeyStore {
  /** The newest keys first. */
  latest(limit: number): Promise<StoredKey[]>;
  /** False when another key of that generation exists already (a lost rotation race). */
  insert(key: StoredKey): Promise<boolean>;
  remove(kid: string): Promise<void>;
}

type KeyDocument = Omit<StoredKey, "kid"> & { _id: string };

export function createMongoKeyStore(db: Db): KeyStore {
  const keys = db.collection<KeyDocument>(collections.signingKeys);
  return {
    async latest(limit) {
      const docs = await keys.find().sort({ generation: -1 }).limit(limit).toArray();
      return docs.map(({ _id, ...rest }) => ({ kid: _id, ...rest }));
    },
    async insert({ kid, ...rest }) {
      try {
        await keys.insertOne({ _id: kid, ...rest });
        return true;
      } catch (error) {
        if (isDuplicateKey(error)) return false;
        throw error;
      }
    },
    async remove(kid) {
      await keys.deleteOne({ _id: kid });
    },
  };
}
