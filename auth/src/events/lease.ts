import type { Db } from "mongodb";
import { collections, isDuplicateKey } from "../db.ts";

interface LeaseDocument {
  _id: string;
  owner: string;
  expiresAt: Date;
}

export interface Lease {
  /** True while this process holds the lease (taking or renewing it when it can). */
  acquire(): Promise<boolean>;
  release(): Promise<void>;
}

/**
 * A named lease shared by the instances of a service. Taking a free lease is a unique insert, and clearing
 * an expired one is a `deleteOne` on its exact state, so two contenders cannot both win. The holder
 * re-reads it every half `ttlMs`, and only the holder writes it, so a renewal cannot undo a takeover.
 */
export function createLease(db: Db, name: string, owner: string, ttlMs: number): Lease {
  const leases = db.collection<LeaseDocument>(collections.leases);
  let heldUntil = 0;

  async function insert(now: number) {
    try {
      await leases.insertOne({ _id: name, owner, expiresAt: new Date(now + ttlMs) });
      heldUntil = now + ttlMs;
      return true;
    } catch (error) {
      if (isDuplicateKey(error)) return false;
      throw error;
    }
  }

  return {
    async acquire() {
      const now = Date.now();
      if (heldUntil - now > ttlMs / 2) return true;
      heldUntil = 0;
      const current = await leases.findOne({ _id: name });
      if (!current) return insert(now);
      if (current.owner === owner) {
        await leases.updateOne({ _id: name }, { $set: { expiresAt: new Date(now + ttlMs) } });
        heldUntil = now + ttlMs;
        return true;
      }
      if (current.expiresAt.getTime() > now) return false;
      const cleared = await leases.deleteOne({ _id: name, owner: current.owner, expiresAt: current.expiresAt });
      return cleared.deletedCount === 1 && insert(now);
    },
    async release() {
      if (heldUntil === 0) return;
      heldUntil = 0;
      await leases.deleteOne({ _id: name, owner });
    },
  };
}
