import { z } from "zod";
import { defineEvent } from "./envelope.ts";
import { Id } from "./ids.ts";
import { defineTopic } from "./topic.ts";

const PostFacts = z.object({
  postId: Id,
  authorId: Id,
  /** The title at the time of the event, 1..200 characters. */
  title: z.string().min(1).max(200),
});

/** A post was published. Auth counts it in the author's `postCount`. */
export const PostCreated = defineEvent(
  "post.created",
  1,
  PostFacts,
  "A post was published. Auth counts it in the author's `postCount`.",
);

/** A post's title or content changed. */
export const PostUpdated = defineEvent("post.updated", 1, PostFacts, "A post's title or content changed.");

/** A post is gone (by its author, an admin, or because its author was deleted). */
export const PostDeleted = defineEvent(
  "post.deleted",
  1,
  z.object({ postId: Id, authorId: Id }),
  "A post is gone (by its author, an admin, or because its author was deleted).",
);

/** `post-events`: the lifecycle of posts, keyed by post id. */
export const PostEvents = defineTopic({
  name: "post-events",
  events: [PostCreated, PostUpdated, PostDeleted],
  description: "The lifecycle of posts, published by post.",
  keyDescription: "post id",
  key: (event) => event.data.postId,
});
