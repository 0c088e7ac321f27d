import type { Db } from "mongodb";
import { collections, insertOnce } from "../db.ts";

/** A ban: a fact keyed by the user id, inserted by the admin who bans and deleted (by `_id`) by the one who lifts it. */
export interface BanRecord {
  userId: string;
  adminId: string;
  reason: string;
  at: Date;
  /** The `user.banned` event that announced it (its outbox entry checks that this ban is the one it made). */
  eventId: string;
}

export interface BanStore {
  /** True for the one caller whose insert made the ban; false when the account is banned already. */
  ban(record: BanRecord): Promise<boolean>;
  /** True for the one caller that lifted the ban; false when there was none. */
  lift(userId: string): Promise<boolean>;
  find(userId: string): Promise<BanRecord | null>;
  /** The bans among `userIds` (one query for a page of users). */
  findMany(userIds: readonly string[]): Promise<BanRecord[]>;
}

interface BanDocument extends Omit<BanRecord, "userId"> {
  _id: string;
}

const toRecord = ({ _id, ...ban }: BanDocument): BanRecord => ({ userId: _id, ...ban });

export function createMongoBanStore(db: Db): BanStore {
  const bans = db.collection<BanDocument>(collections.bans);
  return {
    // Both decisions are atomic everywhere (a unique insert, a deleteOne by `_id`): two admins racing to ban or
    // to lift get one winner, and nothing is ever updated in place.
    ban: ({ userId, ...ban }) => insertOnce(() => bans.insertOne({ _id: userId, ...ban })),
    async lift(userId) {
      return (await bans.deleteOne({ _id: userId })).deletedCount === 1;
    },
    async find(userId) {
      const doc = await bans.findOne({ _id: userId });
      return doc && toRecord(doc);
    },
    async findMany(userIds) {
      if (userIds.length === 0) return [];
      return (await bans.find({ _id: { $in: [...userIds] } }).toArray()).map(toRecord);
    },
  };
}
