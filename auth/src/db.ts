import {
  type Collection,
  type Db,
  type Document,
  MongoBulkWriteError,
  MongoNetworkError,
  MongoServerSelectionError,
  type OptionalUnlessRequiredId,
} from "mongodb";

/** The auth service's collections. Each document has one writer at a time (see ARCHITECTURE.md). */
export const collections = {
  /** Profiles: `{_id, email, name, nameKey, bio, createdAt, updatedAt}`; the e-mail is unique. */
  users: "users",
  /** Password hashes, apart from profiles so a password change and a profile edit never overwrite each other. */
  credentials: "credentials",
  /** Live sessions; revoking deletes the document. */
  sessions: "sessions",
  /** Issued refresh tokens, by hash; never updated. */
  refreshTokens: "refresh_tokens",
  /** Spent refresh tokens, by hash: the insert that succeeds is the one refresh that wins. */
  spent: "spent",
  /**
   * One fact per verified (user, address), `_id` = `<user id>:<e-mail>`: the account is verified while the fact
   * of its current address exists. Apart from the profile, so verifying never rewrites it.
   */
  emailVerifications: "email_verifications",
  /** A user's TOTP secret awaiting its first code (setup), sealed: `{_id: userId, secret, at}`. */
  totpPending: "totp_pending",
  /** A user's active TOTP secret, sealed: inserted once by enable (the first insert wins), deleted to disable. */
  totpActive: "totp_active",
  /** Spent TOTP steps, `_id` = `<userId>:<step>`: the insert that succeeds is the one use of a code. */
  totpSpent: "totp_spent",
  /** Recovery codes by the hash of the code, `{_id: hash, userId}`: deleting one by `_id` is its one use. */
  recoveryCodes: "recovery_codes",
  /** Outstanding one-time tokens (verification, reset, e-mail change), by the hash of their secret. */
  oneTimeTokens: "one_time_tokens",
  /** Spent one-time tokens, by hash: the insert that succeeds is the one use that counts. */
  spentOneTimeTokens: "spent_one_time_tokens",
  /** One fact per failed login, counted for throttling and purged by the app. */
  loginFailures: "login_failures",
  /** Facts of actions throttled per client address alone (registrations): `{_id, action, address, at}`. */
  addressAttempts: "address_attempts",
  /** One fact per (user, post), filled from post events; `postCount` counts them. */
  postMemberships: "post_memberships",
  /** One fact per deleted post, so a `post.created` that arrives after its deletion is not counted. */
  postTombstones: "post_tombstones",
  /** One fact per banned account, `_id` = its user id: inserted to ban, deleted by `_id` to lift. */
  bans: "bans",
  /** One per (user, kind), `_id` derived from both; written only by the holder of its current claim. */
  notifications: "notifications",
  /**
   * The delivery queue: `{_id: notification id, nextAttemptAt}` for each pending notification, so the worker
   * looks at what is pending only (FerretDB scans whole collections). Written by the holder of the claim.
   */
  notificationQueue: "notification_queue",
  /** One fact per delivery attempt (`<notification id>#<n>`): the insert that succeeds owns attempt n. */
  notificationClaims: "notification_claims",
  /** One document per consumed event about a user, `_id` = event id, for `/api/activity` and `/api/stats`. */
  activity: "activity",
  /** One fact per erased account, `_id` = a hash of its id: its late events are not recorded. */
  erasures: "erasures",
  signingKeys: "signing_keys",
  outbox: "outbox",
  leases: "leases",
  /** One fact per data migration done (`_id` = its name), so each runs once per database. */
  migrations: "migrations",
} as const;

/** Creates the indexes the service relies on. Idempotent; run by every instance at start. */
export async function ensureIndexes(db: Db) {
  await Promise.all([
    db.collection(collections.users).createIndex({ email: 1 }, { unique: true, name: "email_unique" }),
    // Admin search by name prefix: a range on the lower-cased name (the e-mail's unique index serves its own).
    db.collection(collections.users).createIndex({ nameKey: 1, _id: 1 }, { name: "by_name_key" }),
    db.collection(collections.sessions).createIndex({ userId: 1 }, { name: "by_user" }),
    db.collection(collections.emailVerifications).createIndex({ userId: 1 }, { name: "by_user" }),
    db.collection(collections.oneTimeTokens).createIndex({ userId: 1, kind: 1 }, { name: "by_user_kind" }),
    db.collection(collections.refreshTokens).createIndex({ sessionId: 1 }, { name: "by_session" }),
    db.collection(collections.loginFailures).createIndex({ email: 1, at: 1 }, { name: "by_email" }),
    db.collection(collections.loginFailures).createIndex({ address: 1, at: 1 }, { name: "by_address" }),
    db
      .collection(collections.addressAttempts)
      .createIndex({ action: 1, address: 1, at: 1 }, { name: "by_action_address" }),
    db.collection(collections.postMemberships).createIndex({ userId: 1 }, { name: "by_user" }),
    db.collection(collections.notificationQueue).createIndex({ nextAttemptAt: 1 }, { name: "by_due" }),
    db
      .collection(collections.notificationClaims)
      .createIndex({ notificationId: 1, attempt: -1 }, { name: "by_notification" }),
    db.collection(collections.activity).createIndex({ userId: 1, occurredAt: -1, _id: -1 }, { name: "by_user_time" }),
    db.collection(collections.activity).createIndex({ day: 1 }, { name: "by_day" }),
    db.collection(collections.signingKeys).createIndex({ generation: 1 }, { unique: true, name: "generation_unique" }),
    db.collection(collections.outbox).createIndex({ status: 1, seq: 1 }, { name: "by_status_seq" }),
  ]);
}

/**
 * True for MongoDB's duplicate-key error: the write lost a race decided by a unique key. FerretDB v1 reports
 * it as 11000 for inserts, but for an update (an e-mail change to a taken address) as an InternalError carrying
 * PostgreSQL's unique violation (SQLSTATE 23505): both are the same answer.
 */
export const isDuplicateKey = (error: unknown) =>
  typeof error === "object" &&
  error !== null &&
  ((error as { code?: unknown }).code === 11000 ||
    /duplicate key value violates unique constraint .*\(SQLSTATE 23505\)/.test(String((error as Error).message)));

/** Inserts a fact keyed by its natural id: true when this call created it, false when it existed already. */
export async function insertOnce(insert: () => Promise<unknown>): Promise<boolean> {
  try {
    await insert();
    return true;
  } catch (error) {
    if (isDuplicateKey(error)) return false;
    throw error;
  }
}

/**
 * Inserts facts keyed by their natural ids in one round trip, leaving those that exist already: returns how
 * many this call created. Unordered, so a duplicate does not stop the facts after it.
 */
export async function insertEachOnce<T extends Document>(
  collection: Collection<T>,
  docs: OptionalUnlessRequiredId<T>[],
): Promise<number> {
  if (docs.length === 0) return 0;
  try {
    return (await collection.insertMany(docs, { ordered: false })).insertedCount;
  } catch (error) {
    const failures = error instanceof MongoBulkWriteError ? [error.writeErrors].flat() : [];
    if (failures.length > 0 && failures.every(isDuplicateKey)) return (error as MongoBulkWriteError).insertedCount;
    throw error;
  }
}

/** True when the database could not be reached (down, restarting): the request may succeed if retried. */
export const isDatabaseUnavailable = (error: unknown): boolean =>
  error instanceof MongoNetworkError ||
  error instanceof MongoServerSelectionError ||
  // insertMany wraps the network error it met in a bulk error, as its `errorResponse`.
  (error instanceof MongoBulkWriteError && isDatabaseUnavailable(error.errorResponse as unknown));
