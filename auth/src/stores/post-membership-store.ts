import type { Db } from "mongodb";
import { collections, insertEachOnce } from "../db.ts";

/** The facts behind `postCount`: one membership per live (user, post), one tombstone per deleted post. */
export interface PostMembershipStore {
  /**
   * Counts each post for its author unless it was deleted already (a `post.created` arriving late): inserts
   * the memberships, then looks for the posts' tombstones. Three round trips however many posts.
   */
  add(posts: readonly PostOfUser[]): Promise<void>;
  /** Records the deletions (tombstones), then removes the memberships; safe to repeat and in any order with `add`. */
  remove(posts: readonly (PostOfUser & { at: Date })[]): Promise<void>;
  /** Drops tombstones older than any redelivery can be (beyond the topic's retention). */
  purgeTombstones(before: Date): Promise<void>;
  /** Erasure: the user's memberships; tombstones of the user's posts keep the post id only. */
  eraseUser(userId: string): Promise<void>;
}

export interface PostOfUser {
  userId: string;
  postId: string;
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
  // A tombstone needs the post's id only; `userId` is in those an older version wrote (erasure removes it).
  const tombstones = db.collection<{ _id: string; userId?: string; at: Date }>(collections.postTombstones);
  return {
    async add(posts) {
      if (posts.length === 0) return;
      await insertEachOnce(
        memberships,
        posts.map(({ userId, postId }) => ({ _id: membershipId(userId, postId), userId, postId })),
      );
      // Inserted first, then the tombstones looked for: whichever way this interleaves with `remove` (tombstones
      // first, then the deletes), one of the two sees the other, so a deleted post is never left counted.
      const gone = await tombstones
        .find({ _id: { $in: posts.map((post) => post.postId) } }, { projection: { _id: 1 } })
        .toArray();
      if (gone.length === 0) return;
      const deleted = new Set(gone.map((tombstone) => tombstone._id));
      const counted = posts.filter((post) => deleted.has(post.postId));
      await memberships.deleteMany({ _id: { $in: counted.map(({ userId, postId }) => membershipId(userId, postId)) } });
    },
    async remove(posts) {
      if (posts.length === 0) return;
      await insertEachOnce(
        tombstones,
        posts.map(({ postId, at }) => ({ _id: postId, at })),
      );
      await memberships.deleteMany({ _id: { $in: posts.map(({ userId, postId }) => membershipId(userId, postId)) } });
    },
    async purgeTombstones(before) {
      await tombstones.deleteMany({ at: { $lt: before } });
    },
    async eraseUser(userId) {
      await memberships.deleteMany({ userId });
      await tombstones.updateMany({ userId }, { $unset: { userId: "" } });
    },
  };
}
