import { Id, multiLineText, singleLineText } from "@chirp/contracts";
import { z } from "@hono/zod-openapi";
import { decodeCursor } from "./cursor.ts";

const Title = z.string().trim().min(1).max(200).regex(singleLineText, "must not contain control characters");
const Content = z
  .string()
  .min(1)
  .max(20_000)
  .regex(multiLineText, "must not contain control characters other than tab and newline");

export const NewPost = z.object({ title: Title, content: Content }).openapi("NewPost");

export const PostPatch = z
  .object({ title: Title.optional(), content: Content.optional() })
  .refine((patch) => patch.title !== undefined || patch.content !== undefined, "give a title, a content or both")
  .openapi("PostPatch");

export const Post = z
  .object({
    id: z.uuid(),
    title: z.string(),
    content: z.string(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    author: z.object({ id: Id, name: z.string() }),
  })
  .openapi("Post");

export const PostPage = z
  .object({
    items: z.array(Post),
    /** Pass back as `cursor` for the next page; null on the last page. */
    nextCursor: z.string().nullable(),
  })
  .openapi("PostPage");

export const PageParams = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z
    .string()
    .refine((cursor) => decodeCursor(cursor) !== null, "is not a cursor this service issued")
    .optional()
    .openapi({ description: "`nextCursor` of the previous page" }),
  authorId: Id.optional().openapi({ description: "only this author's posts" }),
});

export const PostParams = z.object({ id: z.uuid().openapi({ param: { name: "id", in: "path" } }) });
