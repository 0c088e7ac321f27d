import type { Db } from "mongodb";
import { collections, insertEachOnce, insertOnce } from "../db.ts";
import type { SealedText } from "../tokens/key-cipher.ts";

/**
 * A user's TOTP second factor, as facts: a pending secret (setup), the active one (inserted once by enable,
 * deleted to disable), each spent time step, and the recovery codes by hash. Every decision is a unique insert
 * or a deleteOne by `_id`, so concurrent uses of one code get one winner on any MongoDB-wire server.
 */
export interface MfaStore {
  /** Keeps `secret` as the user's pending one, replacing an earlier setup's. */
  setPending(userId: string, secret: SealedText): Promise<void>;
  pending(userId: string): Promise<SealedText | null>;
  /**
   * Turns the pending secret on with its recovery codes (their hashes); false when MFA was on already (the
   * first enable wins).
   */
  enable(userId: string, secret: SealedText, recoveryCodeHashes: readonly string[]): Promise<boolean>;
  active(userId: string): Promise<SealedText | null>;
  /** True for the first use of the user's code of time step `step`: a code is accepted once. */
  spendStep(userId: string, step: number): Promise<boolean>;
  /** True for the one use of a recovery code (its hash): deleted as it is used. */
  spendRecoveryCode(userId: string, hash: string): Promise<boolean>;
  /** Turns MFA off: the secrets and recovery codes go (spent steps stay until purged: they only refuse). */
  disable(userId: string): Promise<void>;
  /** Erasure: everything of the user, spent steps included. */
  erase(userId: string): Promise<void>;
  purgeSpent(before: Date): Promise<void>;
}

interface SecretDocument {
  _id: string;
  secret: SealedText;
  at: Date;
}

export function createMongoMfaStore(db: Db): MfaStore {
  const pending = db.collection<SecretDocument>(collections.totpPending);
  const active = db.collection<SecretDocument>(collections.totpActive);
  const spent = db.collection<{ _id: string; userId: string; at: Date }>(collections.totpSpent);
  const codes = db.collection<{ _id: string; userId: string }>(collections.recoveryCodes);
  return {
    async setPending(userId, secret) {
      // Only the user's own setup writes it; the newest setup wins by deleting the one before.
      await pending.deleteOne({ _id: userId });
      await insertOnce(() => pending.insertOne({ _id: userId, secret, at: new Date() }));
    },
    async pending(userId) {
      return (await pending.findOne({ _id: userId }))?.secret ?? null;
    },
    async enable(userId, secret, recoveryCodeHashes) {
      // Codes first: an active secret never exists without its recovery codes.
      await codes.deleteMany({ userId });
      await insertEachOnce(
        codes,
        recoveryCodeHashes.map((hash) => ({ _id: hash, userId })),
      );
      if (!(await insertOnce(() => active.insertOne({ _id: userId, secret, at: new Date() })))) return false;
      await pending.deleteOne({ _id: userId });
      return true;
    },
    async active(userId) {
      return (await active.findOne({ _id: userId }))?.secret ?? null;
    },
    spendStep: (userId, step) =>
      insertOnce(() => spent.insertOne({ _id: `${userId}:${step}`, userId, at: new Date() })),
    async spendRecoveryCode(userId, hash) {
      return (await codes.deleteOne({ _id: hash, userId })).deletedCount === 1;
    },
    async disable(userId) {
      await active.deleteOne({ _id: userId });
      await pending.deleteOne({ _id: userId });
      await codes.deleteMany({ userId });
    },
    async erase(userId) {
      await this.disable(userId);
      await spent.deleteMany({ userId });
    },
    async purgeSpent(before) {
      await spent.deleteMany({ at: { $lt: before } });
    },
  };
}
