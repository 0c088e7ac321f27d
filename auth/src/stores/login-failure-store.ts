import { SessionEvents, type TopicEvent } from "@chirp/contracts";
import type { Db } from "mongodb";
import { collections } from "../db.ts";
import type { EventOutbox } from "../events/outbox.ts";
import type { ChangeCheck } from "../events/outbox-types.ts";

/**
 * One login attempt that was let through to the password check: a fact, inserted before the check and never
 * updated, so counting stays exact with any number of instances. It stays as a failure unless the login
 * succeeds (the account's facts from that address are then forgiven); an attempt refused by the throttle removes
 * its own fact.
 */
export interface LoginFailure {
  id: string;
  email: string;
  address: string;
  at: Date;
}

export interface LoginFailureStore {
  record(failure: LoginFailure): Promise<void>;
  /** Removes one attempt's fact (by `_id`, atomic everywhere). */
  remove(id: string): Promise<void>;
  /** The newest `limit` attempts since `since`, newest first. */
  recent(
    by: { email: string } | { address: string } | { email: string; address: string },
    since: Date,
    limit: number,
  ): Promise<{ id: string; at: Date }[]>;
  /**
   * Forgets failures: an account's from one address (a login from there succeeded), or all of an account's
   * (its erasure; a password reset).
   */
  forget(by: { email: string } | { email: string; address: string }): Promise<void>;
  /**
   * For each of `emails` with failures since `since`: how many, and the most from one client address (what
   * the per-(account, address) limit counts). One aggregation for a page of accounts.
   */
  tally(emails: readonly string[], since: Date): Promise<Map<string, { failures: number; mostFromOneAddress: number }>>;
  purge(before: Date): Promise<void>;
  /**
   * Records a `user.login_failed` through the outbox: about the attempt whose fact was recorded (published
   * while the fact exists), or about a throttled attempt, which left none.
   */
  announce(event: TopicEvent<typeof SessionEvents>, attemptId?: string): Promise<void>;
  /** An admin's unlock: forgets every failure of the account, with `event` (its `user.unlocked`). */
  unlock(email: string, event: TopicEvent<typeof SessionEvents>): Promise<void>;
}

export function createMongoLoginFailureStore(db: Db, outbox: EventOutbox): LoginFailureStore {
  const failures = db.collection<Omit<LoginFailure, "id"> & { _id: string }>(collections.loginFailures);
  return {
    async record({ id, ...failure }) {
      await failures.insertOne({ _id: id, ...failure });
    },
    async remove(id) {
      await failures.deleteOne({ _id: id });
    },
    async recent(by, since, limit) {
      const docs = await failures
        .find({ ...by, at: { $gt: since } }, { projection: { at: 1 } })
        .sort({ at: -1 })
        .limit(limit)
        .toArray();
      return docs.map((doc) => ({ id: doc._id, at: doc.at }));
    },
    async forget(by) {
      await failures.deleteMany(by);
    },
    async tally(emails, since) {
      const rows = await failures
        .aggregate<{ _id: { email: string; address: string }; count: number }>([
          { $match: { email: { $in: [...emails] }, at: { $gt: since } } },
          { $group: { _id: { email: "$email", address: "$address" }, count: { $sum: 1 } } },
        ])
        .toArray();
      const tallies = new Map<string, { failures: number; mostFromOneAddress: number }>();
      for (const { _id, count } of rows) {
        const tally = tallies.get(_id.email) ?? { failures: 0, mostFromOneAddress: 0 };
        tallies.set(_id.email, {
          failures: tally.failures + count,
          mostFromOneAddress: Math.max(tally.mostFromOneAddress, count),
        });
      }
      return tallies;
    },
    async purge(before) {
      await failures.deleteMany({ at: { $lt: before } });
    },
    async announce(event, attemptId) {
      const ids = attemptId ? [attemptId] : [];
      const check: ChangeCheck = {
        collection: collections.loginFailures,
        ids,
        expect: attemptId ? "present" : "absent",
      };
      await outbox.record([{ topic: SessionEvents, event }], check, async () => {});
    },
    async unlock(email, event) {
      // The failures seen are what the unlock is known to have cleared: gone, they tell a sweeper it happened.
      const seen = await this.recent({ email }, new Date(0), 1000);
      const check: ChangeCheck = {
        collection: collections.loginFailures,
        ids: seen.map((f) => f.id),
        expect: "absent",
      };
      await outbox.record([{ topic: SessionEvents, event }], check, () => this.forget({ email }));
    },
  };
}
