import type { Db } from "mongodb";
import { collections, insertOnce } from "../db.ts";

/** The facts behind `postCount`: one membership per live (user, post), one tombstone per deleted post. */
export interface PostMembershipStore {
  /** Counts the post for its author unless it was deleted already (a `post.created` arriving late). */
  add(userId: string, postId: string): Promise<void>;
  /** Records the deletion, then removes the membership; safe to repeat and in any order with `add`. */
  remove(userId: string, postId: string, at: Date): Promise<void>;
  /** Drops tombstones older than any redelivery can be (beyond the topic's retention). */
  purgeTombstones(before: Date): Promise<void>;
}

interface MembershipDocument {
  _id: string;
  userId: string;
  postId: string;
}

/** The membership's natural key: one fact per (user, post), so a redelivered event inserts a duplicate. */
export const membershipId = (userId: string, postId: string) => `${userId}:${postId}`;

export function createMongoPostMembershipStore(db: Db): PostMembershipStore {
  const memberships = db.collection<MembershipDocument>(collections.postMemberships);
  const tombstones = db.collection<{ _id: string; userId: string; at: Date }>(collections.postTombstones);
  return {
    async add(userId, postId) {
      const _id = membershipId(userId, postId);
      await insertOnce(() => memberships.insertOne({ _id, userId, postId }));
      // Insert first, then look for the tombstone: whichever way this interleaves with `remove` (tombstone
      // first, then delete), one of the two sees the other, so a deleted post is never left counted.
      if (await tombstones.findOne({ _id: postId })) await memberships.deleteOne({ _id });
    },
    async remove(userId, postId, at) {
      await insertOnce(() => tombstones.insertOne({ _id: postId, userId, at }));
      await memberships.deleteOne({ _id: membershipId(userId, postId) });
    },
    async purgeTombstones(before) {
      await tombstones.deleteMany({ at: { $lt: before } });
    },
  };
}
