import { z } from "zod";
import { defineEvent } from "./envelope.ts";
import { Id } from "./ids.ts";
import { defineTopic } from "./topic.ts";

/** A new account exists. The post service starts its author projection from it; auth sends the welcome e-mail. */
export const UserRegistered = defineEvent(
  "user.registered",
  1,
  z.object({
    userId: Id,
    /** Display name, 1..100 characters. */
    name: z.string().min(1).max(100),
    /** Normalised (trimmed, lower-cased) e-mail address. */
    email: z.email(),
  }),
  "A new account exists. The post service starts its author projection from it; auth sends the welcome e-mail.",
);

/** The public profile changed; carries the whole new state so consumers need not merge. */
export const UserUpdated = defineEvent(
  "user.updated",
  1,
  z.object({
    userId: Id,
    name: z.string().min(1).max(100),
    /** Free text, at most 500 characters; empty when unset. */
    bio: z.string().max(500),
  }),
  "The public profile changed; carries the whole new state (name, bio) so consumers need not merge.",
);

/** The account is gone; consumers delete what belongs to it. */
export const UserDeleted = defineEvent(
  "user.deleted",
  1,
  z.object({
    userId: Id,
    /** Set when an admin deleted the account (absent when its owner did). */
    adminId: Id.optional(),
  }),
  "The account is gone; consumers delete what belongs to it (posts, sessions, projections). " +
    "`adminId` is set when an admin deleted it.",
);

/** `user-events`: the lifecycle of accounts, keyed by user id. */
export const UserEvents = defineTopic({
  name: "user-events",
  events: [UserRegistered, UserUpdated, UserDeleted],
  description: "The lifecycle of accounts, published by auth.",
  keyDescription: "user id",
  key: (event) => event.data.userId,
});
