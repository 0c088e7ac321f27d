import { Id, multiLineText, singleLineText } from "@chirp/contracts";
import { PageQuery, pageOf } from "@chirp/platform/paging";
import { z } from "@hono/zod-openapi";

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

export const PostPage = pageOf(Post, "PostPage");

export const PageParams = PageQuery.extend({
  authorId: Id.optional().openapi({ description: "only this author's posts" }),
});

export const PostParams = z.object({ id: z.uuid().openapi({ param: { name: "id", in: "path" } }) });
