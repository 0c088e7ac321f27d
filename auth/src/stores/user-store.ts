import { type TopicEvent, UserEvents } from "@chirp/contracts";
import type { Db } from "mongodb";
import { collections, insertOnce, isDuplicateKey } from "../db.ts";
import type { EventOutbox } from "../events/outbox.ts";
import type { ChangeCheck } from "../events/outbox-types.ts";

/** A user's profile as the service holds it; the password hash lives apart (see `passwordHash`). */
export interface UserRecord {
  id: string;
  /** Normalised: trimmed, lower-cased. */
  email: string;
  name: string;
  bio: string;
  createdAt: Date;
  updatedAt: Date;
  /** Whether the owner proved they read mail at `email` (a verification or an e-mail change link). */
  emailVerified: boolean;
  /** Whether a TOTP second factor is on (`totp_active` holds the user's secret). */
  mfaEnabled: boolean;
}

export interface UserStore {
  /** False when the e-mail is taken (decided by the unique index). */
  /**
   * Inserts the account with `event` (its `user.registered`) through the outbox: both or neither. False when
   * the e-mail is taken (the unique index decides a race).
   */
  register(
    user: Omit<UserRecord, "emailVerified" | "mfaEnabled">,
    passwordHash: string,
    event: TopicEvent<typeof UserEvents>,
  ): Promise<boolean>;
  findById(id: string): Promise<UserRecord | null>;
  findByEmail(email: string): Promise<UserRecord | null>;
  findMany(ids: string[]): Promise<UserRecord[]>;
  passwordHash(userId: string): Promise<string | null>;
  setPasswordHash(userId: string, hash: string): Promise<void>;
  /** Records that the user proved `email` is theirs; idempotent. */
  markVerified(userId: string, email: string): Promise<void>;
  /**
   * Moves the account to `email` (proved already: it is recorded verified first). False when the address is
   * taken, decided by the unique index; null when the account is gone.
   */
  changeEmail(userId: string, email: string): Promise<boolean | null>;
  /** Applies the edit and tags the profile with `revision`, so a sweeper can tell the edit landed. */
  /** Applies the edit with `event` (its `user.updated`, whose id becomes the profile's revision). */
  updateProfile(
    id: string,
    edit: { name?: string; bio?: string },
    event: TopicEvent<typeof UserEvents>,
  ): Promise<UserRecord | null>;
  /** Removes the profile first (freeing the e-mail and stopping logins), then what hangs off it. */
  remove(id: string): Promise<void>;
  /** Posts per user, counted from the membership facts; users without posts are left out. */
  postCounts(ids: string[]): Promise<Map<string, number>>;
  /**
   * Users whose e-mail or lower-cased name starts with `prefix` (all users without one), by id, after `after`:
   * keyset pages for the admin list.
   */
  search(query: { prefix?: string; after?: string; limit: number }): Promise<UserRecord[]>;
}

interface UserDocument extends Omit<UserRecord, "id" | "emailVerified" | "mfaEnabled"> {
  _id: string;
  /** The name trimmed and lower-cased, for prefix search by range (absent on profiles older than the search). */
  nameKey?: string;
  revision?: string;
}

/** How a name is searched: the admin's query goes through the same function. */
export const searchKey = (text: string) => text.trim().toLowerCase();

/**
 * Documents whose `field` starts with `prefix`, as a range: served by an index on MongoDB (like an anchored,
 * case-sensitive regex), where a case-insensitive regex would read every key.
 */
const startsWith = (field: string, prefix: string) => ({
  [field]: { $gte: prefix, $lt: prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1) },
});

const toRecord = (
  { _id, email, name, bio, createdAt, updatedAt }: UserDocument,
  verified: Set<string>,
  withMfa: Set<string>,
): UserRecord => ({
  id: _id,
  email,
  name,
  bio,
  createdAt,
  updatedAt,
  emailVerified: verified.has(verificationId(_id, email)),
  mfaEnabled: withMfa.has(_id),
});

/** A verification fact's id: of one user and one address, so a later address starts unverified. */
const verificationId = (userId: string, email: string) => `${userId}:${email}`;

/** Thrown inside an outbox write to withdraw its event: the e-mail was taken. */
class EmailTaken extends Error {}

export function createMongoUserStore(db: Db, outbox: EventOutbox): UserStore {
  const users = db.collection<UserDocument>(collections.users);
  const credentials = db.collection<{ _id: string; passwordHash: string }>(collections.credentials);
  const memberships = db.collection<{ _id: string; userId: string }>(collections.postMemberships);
  const verifications = db.collection<{ _id: string; userId: string; email: string; at: Date }>(
    collections.emailVerifications,
  );
  const totpActive = db.collection<{ _id: string }>(collections.totpActive);
  /** Profiles with their verification and MFA state: two more lookups, by `_id`, for all of them at once. */
  async function withVerification(docs: UserDocument[]) {
    if (docs.length === 0) return [];
    const ids = docs.map((doc) => verificationId(doc._id, doc.email));
    const [found, mfa] = await Promise.all([
      verifications.find({ _id: { $in: ids } }, { projection: { _id: 1 } }).toArray(),
      totpActive.find({ _id: { $in: docs.map((doc) => doc._id) } }, { projection: { _id: 1 } }).toArray(),
    ]);
    const verified = new Set(found.map((doc) => doc._id));
    const withMfa = new Set(mfa.map((doc) => doc._id));
    return docs.map((doc) => toRecord(doc, verified, withMfa));
  }
  /**
   * One profile with its state. A missing one costs the same second lookup, so an unknown e-mail answers in
   * the time a known one does (a forgot-password must not tell which addresses have accounts).
   */
  async function one(doc: UserDocument | null) {
    if (doc) return (await withVerification([doc]))[0] ?? null;
    await verifications.find({ _id: { $in: [verificationId("", "")] } }, { projection: { _id: 1 } }).toArray();
    return null;
  }
  return {
    async register({ id, ...profile }, passwordHash, event) {
      const check: ChangeCheck = { collection: collections.users, ids: [id], expect: "present" };
      try {
        await outbox.record([{ topic: UserEvents, event }], check, async () => {
          // Credentials first: a crash in between leaves an orphan hash, never an account that cannot log in.
          await credentials.insertOne({ _id: id, passwordHash });
          try {
            await users.insertOne({ _id: id, ...profile, nameKey: searchKey(profile.name) });
          } catch (error) {
            await credentials.deleteOne({ _id: id });
            throw isDuplicateKey(error) ? new EmailTaken() : error;
          }
        });
        return true;
      } catch (error) {
        if (error instanceof EmailTaken) return false;
        throw error;
      }
    },
    async findById(id) {
      return one(await users.findOne({ _id: id }));
    },
    async findByEmail(email) {
      return one(await users.findOne({ email }));
    },
    async findMany(ids) {
      return withVerification(await users.find({ _id: { $in: ids } }).toArray());
    },
    async markVerified(userId, email) {
      await insertOnce(() =>
        verifications.insertOne({ _id: verificationId(userId, email), userId, email, at: new Date() }),
      );
    },
    async changeEmail(userId, email) {
      // Verified first: a crash in between leaves a fact about an address the account does not have, harmless.
      await this.markVerified(userId, email);
      try {
        const result = await users.updateOne({ _id: userId }, { $set: { email, updatedAt: new Date() } });
        if (result.matchedCount === 0) return null;
      } catch (error) {
        if (isDuplicateKey(error)) return false;
        throw error;
      }
      // The old address's fact would verify it again should the account move back without proving it.
      await verifications.deleteMany({ userId, _id: { $ne: verificationId(userId, email) } });
      return true;
    },
    async passwordHash(userId) {
      return (await credentials.findOne({ _id: userId }))?.passwordHash ?? null;
    },
    async setPasswordHash(userId, passwordHash) {
      await credentials.updateOne({ _id: userId }, { $set: { passwordHash } });
    },
    async updateProfile(id, edit, event) {
      const nameKey = edit.name === undefined ? {} : { nameKey: searchKey(edit.name) };
      // The revision names the event, so a sweeper tells whether this edit (not a later one) landed.
      const check: ChangeCheck = {
        collection: collections.users,
        ids: [id],
        expect: "present",
        match: { revision: event.id },
      };
      return outbox.record([{ topic: UserEvents, event }], check, async () => {
        const result = await users.updateOne(
          { _id: id },
          { $set: { ...edit, ...nameKey, updatedAt: new Date(), revision: event.id } },
        );
        return result.matchedCount === 0 ? null : this.findById(id);
      });
    },
    async remove(id) {
      await users.deleteOne({ _id: id });
      await credentials.deleteOne({ _id: id });
      await memberships.deleteMany({ userId: id });
      await verifications.deleteMany({ userId: id });
    },
    async postCounts(ids) {
      const rows = await memberships
        .aggregate<{ _id: string; count: number }>([
          { $match: { userId: { $in: ids } } },
          { $group: { _id: "$userId", count: { $sum: 1 } } },
        ])
        .toArray();
      return new Map(rows.map((row) => [row._id, row.count]));
    },
    async search({ prefix, after, limit }) {
      const matches = prefix ? { $or: [startsWith("email", prefix), startsWith("nameKey", prefix)] } : {};
      const page = after ? { _id: { $gt: after } } : {};
      const docs = await users
        .find({ ...matches, ...page })
        .sort({ _id: 1 })
        .limit(limit)
        .toArray();
      return withVerification(docs);
    },
  };
}
