import type { Db } from "mongodb";
import { collections, insertEachOnce, insertOnce } from "../db.ts";

/** `sent`: an SMTP server accepted it; `logged`: no SMTP server was configured, so it was only written to the log. */
export const notificationStatuses = ["pending", "sent", "logged", "failed"] as const;
export type NotificationStatus = (typeof notificationStatuses)[number];

/**
 * What a user may be notified of: at most one welcome per user, at most one lockout notice per account and
 * throttle window, the account-lifecycle mails as often as asked.
 */
export const notificationKinds = [
  "welcome",
  "lockout",
  "verify-email",
  "address-taken",
  "password-reset",
  "password-reset-notice",
  "email-change",
  "email-change-notice",
] as const;
export type NotificationKind = (typeof notificationKinds)[number];
/**
 * The kinds `/api/notifications` lists, each found by its id. The others carry one-time links or are
 * keyed by window: they are delivered, never shown back through the API (whoever holds a session would
 * read a link).
 */
const listedKinds = ["welcome"] as const;

/** A notification's id: known from the user and kind, so a user's notifications are found by id, not by query. */
export const notificationId = (userId: string, kind: (typeof notificationKinds)[number]) => `${userId}:${kind}`;

/** A message ready for a mailer. */
export interface Mail {
  to: string;
  subject: string;
  text: string;
  html: string;
}

/** A notification and its delivery state. */
export interface NotificationRecord extends Mail {
  /**
   * `notificationId(userId, kind)`, so a second `user.registered` for one user finds the first notification
   * (a lockout notice: `lockoutNoticeId`, one per account per window).
   */
  id: string;
  userId: string;
  kind: NotificationKind;
  status: NotificationStatus;
  /** Delivery attempts made so far. */
  attempts: number;
  lastError: string | null;
  /** When the next attempt is due (null once sent or failed). */
  nextAttemptAt: Date | null;
  createdAt: Date;
  sentAt: Date | null;
}

/** A new notification of `mail`, due at once: what every kind starts as. */
export function pendingNotification(
  { id, userId, kind }: Pick<NotificationRecord, "id" | "userId" | "kind">,
  mail: Mail,
  now = new Date(),
): NotificationRecord {
  return {
    id,
    userId,
    kind,
    ...mail,
    status: "pending",
    attempts: 0,
    lastError: null,
    nextAttemptAt: now,
    createdAt: now,
    sentAt: null,
  };
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
  /**
   * Creates many in one round trip, leaving those that exist, then queues every one for delivery (those that
   * existed too: a crash may have come between the two); returns how many were new.
   */
  createMany(notifications: readonly NotificationRecord[]): Promise<number>;
  find(id: string): Promise<NotificationRecord | null>;
  /** The user's notifications, newest first. */
  listByUser(userId: string): Promise<NotificationRecord[]>;
  /**
   * Ids of queued notifications due by `now`, at most `limit`. Unsorted: FerretDB can then stop at `limit`
   * instead of reading the whole queue (a backlog goes out in about the order it came in).
   */
  due(now: Date, limit: number): Promise<string[]>;
  /** Takes a notification off the queue: it is sent, failed or gone, and the queue still held it. */
  dequeue(id: string): Promise<void>;
  /**
   * Queues the pending notifications of a database written before the queue existed; once per database.
   * Returns how many it queued.
   */
  queuePending(): Promise<number>;
  /** The claim of the latest attempt, if any attempt was claimed since the last purge. */
  lastClaim(id: string): Promise<DeliveryClaim | null>;
  /** Inserts the claim of attempt `claim.attempt`: true for the one instance that gets it. */
  claim(id: string, claim: DeliveryClaim): Promise<boolean>;
  /** Withdraws an unused claim (its holder found nothing to do). */
  dropClaim(id: string, attempt: number): Promise<void>;
  /**
   * Written only by the holder of the current claim, so no other writer can be undone: the notification, then
   * its queue entry (due again at `nextAttemptAt`, or gone once it is sent or failed).
   */
  settle(id: string, outcome: DeliveryOutcome): Promise<void>;
  /** Drops the claims of a notification that is finished (sent or failed). */
  purgeClaims(id: string): Promise<void>;
  /** Erasure: the user's notifications (their addresses with them), queue entries and claims. */
  eraseUser(userId: string): Promise<void>;
  /** How many notifications are in each status (for metrics; a scan, so read it rarely). */
  countByStatus(): Promise<Record<NotificationStatus, number>>;
}

interface NotificationDocument extends Omit<NotificationRecord, "id"> {
  _id: string;
}

interface QueueDocument {
  _id: string;
  nextAttemptAt: Date | null;
}

interface ClaimDocument extends DeliveryClaim {
  _id: string;
  notificationId: string;
}

const toRecord = ({ _id, ...rest }: NotificationDocument): NotificationRecord => ({ id: _id, ...rest });
const toDocument = ({ id, ...rest }: NotificationRecord): NotificationDocument => ({ _id: id, ...rest });
const claimId = (id: string, attempt: number) => `${id}#${attempt}`;
const queueEntry = ({ id, nextAttemptAt }: Pick<NotificationRecord, "id" | "nextAttemptAt">): QueueDocument => ({
  _id: id,
  nextAttemptAt,
});
/** The migration that filled the queue from the notifications of an older version. */
const QUEUE_FILLED = "notification-queue";

export function createMongoNotificationStore(db: Db): NotificationStore {
  const notifications = db.collection<NotificationDocument>(collections.notifications);
  const claims = db.collection<ClaimDocument>(collections.notificationClaims);
  const queue = db.collection<QueueDocument>(collections.notificationQueue);
  const migrations = db.collection<{ _id: string; at: Date }>(collections.migrations);
  const createMany = async (records: readonly NotificationRecord[]) => {
    const created = await insertEachOnce(notifications, records.map(toDocument));
    await insertEachOnce(queue, records.map(queueEntry));
    return created;
  };
  return {
    async countByStatus() {
      const counts = Object.fromEntries(notificationStatuses.map((status) => [status, 0])) as Record<
        NotificationStatus,
        number
      >;
      const groups = notifications.aggregate<{ _id: NotificationStatus; count: number }>([
        { $group: { _id: "$status", count: { $sum: 1 } } },
      ]);
      for await (const { _id, count } of groups) counts[_id] = count;
      return counts;
    },
    async create(notification) {
      return (await createMany([notification])) === 1;
    },
    createMany,
    async find(id) {
      const doc = await notifications.findOne({ _id: id });
      return doc && toRecord(doc);
    },
    async listByUser(userId) {
      // One lookup by id per kind: on FerretDB a query on `userId` would read every notification ever sent.
      const docs = await Promise.all(
        listedKinds.map((kind) => notifications.findOne({ _id: notificationId(userId, kind) })),
      );
      return docs
        .flatMap((doc) => (doc ? [toRecord(doc)] : []))
        .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime());
    },
    async due(now, limit) {
      const docs = await queue
        .find({ nextAttemptAt: { $lte: now } }, { projection: { _id: 1 } })
        .limit(limit)
        .toArray();
      return docs.map((doc) => doc._id);
    },
    async dequeue(id) {
      await queue.deleteOne({ _id: id });
    },
    async queuePending() {
      if (await migrations.findOne({ _id: QUEUE_FILLED })) return 0;
      const pending = await notifications
        .find({ status: "pending" }, { projection: { _id: 1, nextAttemptAt: 1 } })
        .toArray();
      const queued = await insertEachOnce(
        queue,
        pending.map(({ _id, nextAttemptAt }) => queueEntry({ id: _id, nextAttemptAt })),
      );
      await insertOnce(() => migrations.insertOne({ _id: QUEUE_FILLED, at: new Date() }));
      return queued;
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
      if (outcome.status !== "pending") await queue.deleteOne({ _id: id });
      else await queue.updateOne({ _id: id }, { $set: { nextAttemptAt: outcome.nextAttemptAt } }, { upsert: true });
    },
    async purgeClaims(id) {
      await claims.deleteMany({ notificationId: id });
    },
    async eraseUser(userId) {
      const ids = (await notifications.find({ userId }, { projection: { _id: 1 } }).toArray()).map((doc) => doc._id);
      if (ids.length === 0) return;
      // The queue and claims first: a notification found gone is never queued again (settle does not upsert it).
      await queue.deleteMany({ _id: { $in: ids } });
      await claims.deleteMany({ notificationId: { $in: ids } });
      await notifications.deleteMany({ _id: { $in: ids } });
    },
  };
}
