import type { Db } from "mongodb";
import { collections } from "../db.ts";

/** One failed login: a fact, never updated, so counting stays exact with any number of instances. */
export interface LoginFailure {
  id: string;
  email: string;
  address: string;
  at: Date;
}

export interface LoginFailureStore {
  record(failure: LoginFailure): Promise<void>;
  /** The times of the newest `limit` failures since `since`, newest first. */
  recent(by: { email: string } | { address: string }, since: Date, limit: number): Promise<Date[]>;
  /** A successful login forgives the account's failures (not the address's). */
  forgetAccount(email: string): Promise<void>;
  purge(before: Date): Promise<void>;
}

export function createMongoLoginFailureStore(db: Db): LoginFailureStore {
  const failures = db.collection<Omit<LoginFailure, "id"> & { _id: string }>(collections.loginFailures);
  return {
    async record({ id, ...failure }) {
      await failures.insertOne({ _id: id, ...failure });
    },
    async recent(by, since, limit) {
      const docs = await failures
        .find({ ...by, at: { $gt: since } }, { projection: { at: 1 } })
        .sort({ at: -1 })
        .limit(limit)
        .toArray();
      return docs.map((doc) => doc.at);
    },
    async forgetAccount(email) {
      await failures.deleteMany({ email });
    },
    async purge(before) {
      await failures.deleteMany({ at: { $lt: before } });
    },
  };
}
