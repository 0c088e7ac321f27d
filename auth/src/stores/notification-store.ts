import type { Db } from "mongodb";
import { collections, insertEachOnce, insertOnce } from "../db.ts";

export type NotificationStatus = "pending" | "sent" | "failed";

/** A message ready for a mailer. */
export interface Mail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** A notification and its delivery state. */
export interface NotificationRecord extends Mail {
  /** `<userId>:<kind>`, so a second `user.registered` for one user finds the first notification. */
  id: string;
  userId: string;
  kind: "welcome";
  status: NotificationStatus;
  /** Delivery attempts made so far. */
  attempts: number;
  lastError: string | null;
  /** When the next attempt is due (null once sent or failed). */
  nextAttemptAt: Date | null;
  createdAt: Date;
  sentAt: Date | null;
}

/** What the holder of an attempt's claim writes back. */
export type DeliveryOutcome = Pick<
  NotificationRecord,
  "status" | "attempts" | "lastError" | "nextAttemptAt" | "sentAt"
>;

/** A claim on one delivery attempt: the instance whose insert succeeded makes that attempt. */
export interface DeliveryClaim {
  attempt: number;
  owner: string;
  claimedAt: Date;
}

export interface NotificationStore {
  /** False when the notification exists already (the event was delivered before). */
  create(notification: NotificationRecord): Promise<boolean>;
  /** Creates many in one round trip, leaving those that exist; returns how many were new. */
  createMany(notifications: readonly NotificationRecord[]): Promise<number>;
  find(id: string): Promise<NotificationRecord | null>;
  /** The user's notifications, newest first. */
  listByUser(userId: string): Promise<NotificationRecord[]>;
  /** Pending notifications due by `now`, oldest due first. */
  due(now: Date, limit: number): Promise<NotificationRecord[]>;
  /** The claim of the latest attempt, if any attempt was claimed since the last purge. */
  lastClaim(id: string): Promise<DeliveryClaim | null>;
  /** Inserts the claim of attempt `claim.attempt`: true for the one instance that gets it. */
  claim(id: string, claim: DeliveryClaim): Promise<boolean>;
  /** Withdraws an unused claim (its holder found nothing to do). */
  dropClaim(id: string, attempt: number): Promise<void>;
  /** Written only by the holder of the current claim, so no other writer can be undone. */
  settle(id: string, outcome: DeliveryOutcome): Promise<void>;
  /** Drops the claims of a notification that is finished (sent or failed). */
  purgeClaims(id: string): Promise<void>;
}

interface NotificationDocument extends Omit<NotificationRecord, "id"> {
  _id: string;
}

interface ClaimDocument extends DeliveryClaim {
  _id: string;
  notificationId: string;
}

const toRecord = ({ _id, ...rest }: NotificationDocument): NotificationRecord => ({ id: _id, ...rest });
const toDocument = ({ id, ...rest }: NotificationRecord): NotificationDocument => ({ _id: id, ...rest });
const claimId = (id: string, attempt: number) => `${id}#${attempt}`;

export function createMongoNotificationStore(db: Db): NotificationStore {
  const notifications = db.collection<NotificationDocument>(collections.notifications);
  const claims = db.collection<ClaimDocument>(collections.notificationClaims);
  return {
    create(notification) {
      return insertOnce(() => notifications.insertOne(toDocument(notification)));
    },
    createMany(records) {
      return insertEachOnce(notifications, records.map(toDocument));
    },
    async find(id) {
      const doc = await notifications.findOne({ _id: id });
      return doc && toRecord(doc);
    },
    async listByUser(userId) {
      return (await notifications.find({ userId }).sort({ createdAt: -1 }).limit(100).toArray()).map(toRecord);
    },
    async due(now, limit) {
      const docs = await notifications
        .find({ status: "pending", nextAttemptAt: { $lte: now } })
        .sort({ nextAttemptAt: 1 })
        .limit(limit)
        .toArray();
      return docs.map(toRecord);
    },
    async lastClaim(id) {
      const [doc] = await claims.find({ notificationId: id }).sort({ attempt: -1 }).limit(1).toArray();
      return doc ? { attempt: doc.attempt, owner: doc.owner, claimedAt: doc.claimedAt } : null;
    },
    claim(id, claim) {
      return insertOnce(() => claims.insertOne({ _id: claimId(id, claim.attempt), notificationId: id, ...claim }));
    },
    async dropClaim(id, attempt) {
      await claims.deleteOne({ _id: claimId(id, attempt) });
    },
    async settle(id, outcome) {
      await notifications.updateOne({ _id: id }, { $set: outcome });
    },
    async purgeClaims(id) {
      await claims.deleteMany({ notificationId: id });
    },
  };
}
