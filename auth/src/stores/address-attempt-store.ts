import type { Db } from "mongodb";
import { collections } from "../db.ts";

/**
 * Actions throttled per client address alone (no account to count them by), and `verify-resend`, throttled per
 * account: its "address" is `accountKey(userId)`.
 */
export type AddressAction = "register" | "forgot" | "verify-resend";

/** Counts an account's own requests in this store, by a hash of its id (erasure then leaves no id here). */
export const accountKey = (userId: string) =>
  `account:${new Bun.CryptoHasher("sha256").update(userId).digest("base64url")}`;

/**
 * One attempt at an action from a client address: a fact, inserted before the action and never updated, so
 * counting stays exact with any number of instances (the login throttle's design, keyed by address only).
 */
export interface AddressAttempt {
  id: string;
  action: AddressAction;
  address: string;
  at: Date;
}

export interface AddressAttemptStore {
  record(attempt: AddressAttempt): Promise<void>;
  /** Removes one attempt's fact (by `_id`, atomic everywhere). */
  remove(id: string): Promise<void>;
  /** When the newest `limit` attempts at `action` from `address` since `since` were made, newest first. */
  recent(
    by: { action: AddressAction; address: string },
    since: Date,
    limit: number,
  ): Promise<{ id: string; at: Date }[]>;
  purge(before: Date): Promise<void>;
}

export function createMongoAddressAttemptStore(db: Db): AddressAttemptStore {
  const attempts = db.collection<Omit<AddressAttempt, "id"> & { _id: string }>(collections.addressAttempts);
  return {
    async record({ id, ...attempt }) {
      await attempts.insertOne({ _id: id, ...attempt });
    },
    async remove(id) {
      await attempts.deleteOne({ _id: id });
    },
    async recent(by, since, limit) {
      const docs = await attempts
        .find({ ...by, at: { $gt: since } }, { projection: { at: 1 } })
        .sort({ at: -1 })
        .limit(limit)
        .toArray();
      return docs.map((doc) => ({ id: doc._id, at: doc.at }));
    },
    async purge(before) {
      await attempts.deleteMany({ at: { $lt: before } });
    },
  };
}
