import { sql } from "drizzle-orm";
import { bigserial, index, jsonb, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";

/** Posts. No foreign key to `authors`: a post may arrive before its author's `user.registered` event. */
export const posts = pgTable(
  "posts",
  {
    id: uuid("id").primaryKey(),
    authorId: text("author_id").notNull(),
    title: text("title").notNull(),
    content: text("content").notNull(),
    // Millisecond precision, like the API's timestamps: the keyset cursor carries exactly what is compared.
    createdAt: timestamp("created_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
    updatedAt: timestamp("updated_at", { withTimezone: true, precision: 3 }).notNull().defaultNow(),
  },
  (table) => [
    // Keyset pagination, newest first, overall and per author.
    // Ascending on purpose: scanned backwards it yields `ORDER BY created_at DESC, id DESC` (NULLS FIRST,
    // PostgreSQL's default for DESC). A `DESC NULLS LAST` index, drizzle's `.desc()`, does not match that
    // order and left the newest-first page to a sort over the whole table.
    index("posts_created_id_idx").on(table.createdAt, table.id),
    index("posts_author_created_id_idx").on(table.authorId, table.createdAt, table.id),
  ],
);

/** The local projection of users, fed by `user-events` (event-carried state). */
export const authors = pgTable("authors", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  bio: text("bio").notNull().default(""),
  /** `occurredAt` of the event that last wrote the row: older events never overwrite newer state. */
  updatedAt: timestamp("updated_at", { withTimezone: true, precision: 3 }).notNull(),
  /** Set by `user.deleted`: a tombstone, so a late or replayed `user.registered` cannot resurrect the user. */
  deletedAt: timestamp("deleted_at", { withTimezone: true, precision: 3 }),
});

/** Events written in the same transaction as the change they announce, relayed to Kafka in `id` order. */
export const outbox = pgTable("outbox", {
  id: bigserial("id", { mode: "number" }).primaryKey(),
  topic: text("topic").notNull(),
  event: jsonb("event").notNull(),
  /** The W3C trace context of the write, when traced: the relay sends it as the message's `traceparent`. */
  traceparent: text("traceparent"),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

/** Ids of consumed events already applied (the inbox): a redelivered event is skipped. */
export const processedEvents = pgTable("processed_events", {
  eventId: uuid("event_id").primaryKey(),
  processedAt: timestamp("processed_at", { withTimezone: true }).notNull().default(sql`now()`),
});

/** Revoked sessions (`sessionId`), or every session of a user revoked before `revokedAt` (`sessionId` = "*"). */
export const revokedSessions = pgTable(
  "revoked_sessions",
  {
    userId: text("user_id").notNull(),
    sessionId: text("session_id").notNull(),
    revokedAt: timestamp("revoked_at", { withTimezone: true, precision: 3 }).notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.userId, table.sessionId] }),
    // Every instance reloads the recent revocations (older ones only concern expired tokens).
    index("revoked_sessions_revoked_at_idx").on(table.revokedAt),
  ],
);
