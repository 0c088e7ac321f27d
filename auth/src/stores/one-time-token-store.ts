import type { Db } from "mongodb";
import { collections, insertOnce } from "../db.ts";

/** What a one-time token lets its holder do; at most one live token of each kind per user. */
export type OneTimeTokenKind = "verify-email" | "reset-password" | "change-email" | "mfa-login";

/** An issued one-time token, known by the hash of its secret only. */
export interface OneTimeTokenRecord {
  hash: string;
  userId: string;
  kind: OneTimeTokenKind;
  /** The address the token is about: the one to verify, the account's (reset), or the new one (change). */
  email: string;
  issuedAt: Date;
  expiresAt: Date;
}

export interface OneTimeTokenStore {
  /** Stores a token, then deletes the user's older tokens of its kind: a newer one supersedes them. */
  issue(token: OneTimeTokenRecord): Promise<void>;
  find(hash: string): Promise<OneTimeTokenRecord | null>;
  /**
   * Spends a token: inserts its `spent` fact keyed by the hash. True for the one caller whose insert won; false
   * when it was spent already (a replay, or a concurrent redemption that came first).
   */
  spend(hash: string, at: Date): Promise<boolean>;
  /** Every outstanding token of the user (of one kind, or all: a password change kills them all). */
  revoke(userId: string, kind?: OneTimeTokenKind): Promise<void>;
  /** Drops expired tokens and spent facts older than `before` (no TTL indexes: the app purges). */
  purge(now: Date, before: Date): Promise<void>;
}

interface TokenDocument extends Omit<OneTimeTokenRecord, "hash"> {
  _id: string;
}

export function createMongoOneTimeTokenStore(db: Db): OneTimeTokenStore {
  const tokens = db.collection<TokenDocument>(collections.oneTimeTokens);
  // Keyed by hash alone, with no user id: erasure leaves nothing of the account here.
  const spent = db.collection<{ _id: string; at: Date }>(collections.spentOneTimeTokens);
  return {
    async issue({ hash, ...token }) {
      await tokens.insertOne({ _id: hash, ...token });
      // Older than this one only: two issued at once leave the newer, never neither.
      await tokens.deleteMany({ userId: token.userId, kind: token.kind, issuedAt: { $lt: token.issuedAt } });
    },
    async find(hash) {
      const doc = await tokens.findOne({ _id: hash });
      if (!doc) return null;
      const { _id, ...token } = doc;
      return { hash: _id, ...token };
    },
    async spend(hash, at) {
      const won = await insertOnce(() => spent.insertOne({ _id: hash, at }));
      // The fact decides; the token's document is only tidied away (by `_id`).
      if (won) await tokens.deleteOne({ _id: hash });
      return won;
    },
    async revoke(userId, kind) {
      await tokens.deleteMany(kind ? { userId, kind } : { userId });
    },
    async purge(now, before) {
      await tokens.deleteMany({ expiresAt: { $lt: now } });
      await spent.deleteMany({ at: { $lt: before } });
    },
  };
}
