import type { Keyset } from "@chirp/platform/paging";
import type { Db } from "mongodb";
import { collections, isDuplicateKey } from "../db.ts";

export interface SessionRecord {
  id: string;
  userId: string;
  createdAt: Date;
  lastUsedAt: Date;
  userAgent: string | null;
  /** How the session was authenticated (`pwd`, `otp`): its access tokens carry it as `amr`. */
  amr?: string[];
}

/** An issued refresh token, found by its hash. */
export interface RefreshRecord {
  sessionId: string;
  userId: string;
  expiresAt: Date;
}

export interface SessionStore {
  /** Stores the first refresh token, then the session, so a live session always has its token. */
  create(session: SessionRecord, refreshHash: string, expiresAt: Date): Promise<void>;
  find(id: string): Promise<SessionRecord | null>;
  /** The user's live sessions, oldest first: all of them, or a page of `limit` after `after`. */
  listByUser(userId: string, page?: { limit: number; after?: Keyset | undefined }): Promise<SessionRecord[]>;
  findRefresh(hash: string): Promise<RefreshRecord | null>;
  /**
   * Marks a refresh token spent by inserting its hash: true for the one caller that spends it, false when
   * it was spent already (a replay or a lost race).
   */
  spend(hash: string, token: RefreshRecord): Promise<boolean>;
  /** Issues the successor token of a session whose token was just spent by this caller. */
  renew(session: SessionRecord, refreshHash: string, expiresAt: Date): Promise<void>;
  /** Deletes the session; true when this call is the one that revoked it. */
  revoke(id: string): Promise<boolean>;
  /** Drops refresh tokens and spent marks past their expiry. */
  purgeExpired(now: Date): Promise<void>;
}

interface SessionDocument extends Omit<SessionRecord, "id"> {
  _id: string;
}

const toRecord = ({ _id, ...rest }: SessionDocument): SessionRecord => ({ id: _id, ...rest });

export function createMongoSessionStore(db: Db): SessionStore {
  const sessions = db.collection<SessionDocument>(collections.sessions);
  const tokens = db.collection<RefreshRecord & { _id: string }>(collections.refreshTokens);
  const spent = db.collection<{ _id: string; sessionId: string; expiresAt: Date }>(collections.spent);
  return {
    async create({ id, ...session }, refreshHash, expiresAt) {
      await tokens.insertOne({ _id: refreshHash, sessionId: id, userId: session.userId, expiresAt });
      await sessions.insertOne({ _id: id, ...session });
    },
    async find(id) {
      const doc = await sessions.findOne({ _id: id });
      return doc && toRecord(doc);
    },
    async listByUser(userId, { limit = 0, after } = { limit: 0 }) {
      const newer = after
        ? { $or: [{ createdAt: { $gt: after.at } }, { createdAt: after.at, _id: { $gt: after.id } }] }
        : {};
      const docs = await sessions
        .find({ userId, ...newer })
        .sort({ createdAt: 1, _id: 1 })
        .limit(limit) // 0: no limit
        .toArray();
      return docs.map(toRecord);
    },
    async findRefresh(hash) {
      const doc = await tokens.findOne({ _id: hash });
      return doc && { sessionId: doc.sessionId, userId: doc.userId, expiresAt: doc.expiresAt };
    },
    async spend(hash, token) {
      try {
        await spent.insertOne({ _id: hash, sessionId: token.sessionId, expiresAt: token.expiresAt });
        return true;
      } catch (error) {
        if (isDuplicateKey(error)) return false;
        throw error;
      }
    },
    async renew(session, refreshHash, expiresAt) {
      await tokens.insertOne({ _id: refreshHash, sessionId: session.id, userId: session.userId, expiresAt });
      // Only the winner of `spend` gets here, so the session has one writer; a revocation deletes it instead.
      await sessions.updateOne({ _id: session.id }, { $set: { lastUsedAt: new Date() } });
    },
    async revoke(id) {
      const result = await sessions.deleteOne({ _id: id });
      if (result.deletedCount === 1) await tokens.deleteMany({ sessionId: id });
      return result.deletedCount === 1;
    },
    async purgeExpired(now) {
      await tokens.deleteMany({ expiresAt: { $lt: now } });
      await spent.deleteMany({ expiresAt: { $lt: now } });
    },
  };
}
