import { SessionEvents, type TopicEvent } from "@chirp/contracts";
import type { Db } from "mongodb";
import { collections, insertOnce } from "../db.ts";
import type { EventOutbox } from "../events/outbox.ts";
import type { ChangeCheck } from "../events/outbox-types.ts";

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
  /**
   * True for the one caller whose insert made the ban, with `event` (its `user.banned`, named by the ban's
   * `eventId`); false, and no event, when the account is banned already.
   */
  ban(record: BanRecord, event: TopicEvent<typeof SessionEvents>): Promise<boolean>;
  /** True for the one caller that lifted the ban, with `event` when given; false, and no event, when there was none. */
  lift(userId: string, event?: TopicEvent<typeof SessionEvents>): Promise<boolean>;
  find(userId: string): Promise<BanRecord | null>;
  /** The bans among `userIds` (one query for a page of users). */
  findMany(userIds: readonly string[]): Promise<BanRecord[]>;
}

interface BanDocument extends Omit<BanRecord, "userId"> {
  _id: string;
}

const toRecord = ({ _id, ...ban }: BanDocument): BanRecord => ({ userId: _id, ...ban });

/** Thrown inside an outbox write to withdraw its event: the ban or lift decided nothing. */
class NoChange extends Error {}

export function createMongoBanStore(db: Db, outbox: EventOutbox): BanStore {
  const bans = db.collection<BanDocument>(collections.bans);
  /** Runs `decide` with `event` through the outbox; false, and the event withdrawn, when it decided nothing. */
  async function withEvent(
    event: TopicEvent<typeof SessionEvents>,
    check: ChangeCheck,
    decide: () => Promise<boolean>,
  ) {
    try {
      return await outbox.record([{ topic: SessionEvents, event }], check, async () => {
        if (!(await decide())) throw new NoChange();
        return true;
      });
    } catch (error) {
      if (error instanceof NoChange) return false;
      throw error;
    }
  }
  // Both decisions are atomic everywhere (a unique insert, a deleteOne by `_id`): two admins racing to ban or
  // to lift get one winner, and nothing is ever updated in place.
  const insertBan = ({ userId, ...ban }: BanRecord) => insertOnce(() => bans.insertOne({ _id: userId, ...ban }));
  const deleteBan = async (userId: string) => (await bans.deleteOne({ _id: userId })).deletedCount === 1;
  return {
    ban(record, event) {
      const check: ChangeCheck = {
        collection: collections.bans,
        ids: [record.userId],
        expect: "present",
        match: { eventId: event.id },
      };
      return withEvent(event, check, () => insertBan(record));
    },
    lift(userId, event) {
      if (!event) return deleteBan(userId);
      const check: ChangeCheck = { collection: collections.bans, ids: [userId], expect: "absent" };
      return withEvent(event, check, () => deleteBan(userId));
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
