import type { EventOrigin } from "@chirp/contracts";
import type { CallerEnv } from "@chirp/platform/auth/bearer";
import { type AppEnv, validationHook } from "@chirp/platform/http";
import { jsonResponse, noSecurity, problems, bearerSecurity as security } from "@chirp/platform/openapi";
import { decodeCursor, page } from "@chirp/platform/paging";
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import type { MiddlewareHandler } from "hono";
import { HTTPException } from "hono/http-exception";
import type { UserDirectory } from "../directory/user-directory.ts";
import { type PostWithAuthor, withAuthors } from "../directory/with-authors.ts";
import { AuthorDeletedError, type PostStore } from "../stores/post-store.ts";
import { NewPost, PageParams, Post, PostPage, PostParams, PostPatch } from "./schemas.ts";

export interface PostRoutesDeps {
  posts: PostStore;
  directory: UserDirectory;
  requireAuth: MiddlewareHandler<AppEnv & CallerEnv>;
}

const toJson = (post: PostWithAuthor) => ({
  ...post,
  createdAt: post.createdAt.toISOString(),
  updatedAt: post.updatedAt.toISOString(),
});

/** Events name the request that caused them (the envelope allows at most 200 characters). */
const origin = (requestId: string): EventOrigin => ({ source: "post", correlationId: requestId.slice(0, 200) });

/** `/api/posts`: public reads, authenticated writes; every post leaves with its author. */
export function postRoutes({ posts, directory, requireAuth }: PostRoutesDeps) {
  const one = async (id: string) => {
    const view = await posts.get(id);
    const [post] = view ? await withAuthors([view], directory) : [];
    if (!post) throw new HTTPException(404, { message: `No post ${id}.` });
    return post;
  };
  const nameOf = async (id: string) => (await directory.lookup([id])).get(id)?.name ?? null;

  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook })
    .openapi(
      createRoute({
        method: "get",
        path: "/",
        operationId: "listPosts",
        tags: ["posts"],
        security: noSecurity,
        summary: "Posts, newest first, with their authors (keyset pagination)",
        request: { query: PageParams },
        responses: { 200: jsonResponse(PostPage, "A page of posts"), ...problems(400, 503) },
      }),
      async (c) => {
        const { limit, cursor, authorId } = c.req.valid("query");
        const seek = cursor ? decodeCursor(cursor) : null;
        const after = seek ? { createdAt: seek.at, id: seek.id } : undefined;
        const rows = await posts.list({ limit: limit + 1, after, authorId });
        // The cursor is the last row read, even when its author turns out deleted and the post is left out.
        const { items, nextCursor } = page(rows, limit, (row) => ({ at: row.createdAt, id: row.id }));
        return c.json({ items: (await withAuthors(items, directory)).map(toJson), nextCursor }, 200);
      },
    )
    .openapi(
      createRoute({
        method: "post",
        path: "/",
        operationId: "createPost",
        tags: ["posts"],
        summary: "Publish a post (emits post.created)",
        security,
        middleware: [requireAuth] as const,
        request: { body: { content: { "application/json": { schema: NewPost } }, required: true } },
        responses: {
          201: jsonResponse(Post, "The new post"),
          ...problems(400, 401, 403, 413, 503),
        },
      }),
      async (c) => {
        try {
          const view = await posts.create(c.var.caller.userId, c.req.valid("json"), origin(c.env.requestId), nameOf);
          const [post] = await withAuthors([view], directory);
          if (!post) throw new AuthorDeletedError(c.var.caller.userId);
          return c.json(toJson(post), 201);
        } catch (error) {
          if (error instanceof AuthorDeletedError)
            throw new HTTPException(403, { message: "This account is deleted." });
          throw error;
        }
      },
    )
    .openapi(
      createRoute({
        method: "get",
        path: "/{id}",
        operationId: "getPost",
        tags: ["posts"],
        security: noSecurity,
        summary: "One post with its author",
        request: { params: PostParams },
        responses: { 200: jsonResponse(Post, "The post"), ...problems(400, 404, 503) },
      }),
      async (c) => c.json(toJson(await one(c.req.valid("param").id)), 200),
    )
    .openapi(
      createRoute({
        method: "patch",
        path: "/{id}",
        operationId: "updatePost",
        tags: ["posts"],
        summary: "Change a post's title or content (its author only; emits post.updated)",
        security,
        middleware: [requireAuth] as const,
        request: {
          params: PostParams,
          body: { content: { "application/json": { schema: PostPatch } }, required: true },
        },
        responses: {
          200: jsonResponse(Post, "The changed post"),
          ...problems(400, 401, 403, 404, 413, 503),
        },
      }),
      async (c) => {
        const { id } = c.req.valid("param");
        const existing = await one(id);
        if (existing.author.id !== c.var.caller.userId) {
          throw new HTTPException(403, { message: "Only the author can change a post." });
        }
        const view = await posts.update(id, c.req.valid("json"), origin(c.env.requestId));
        if (!view) throw new HTTPException(404, { message: `No post ${id}.` });
        return c.json(toJson({ ...view, author: existing.author }), 200);
      },
    )
    .openapi(
      createRoute({
        method: "delete",
        path: "/{id}",
        operationId: "deletePost",
        tags: ["posts"],
        summary: "Delete a post (its author or an admin; emits post.deleted)",
        security,
        middleware: [requireAuth] as const,
        request: { params: PostParams },
        responses: {
          204: { description: "Deleted" },
          ...problems(400, 401, 403, 404, 503),
        },
      }),
      async (c) => {
        const { id } = c.req.valid("param");
        const { userId: sub, role } = c.var.caller;
        const existing = await posts.get(id);
        if (!existing) throw new HTTPException(404, { message: `No post ${id}.` });
        if (existing.author.id !== sub && role !== "admin") {
          throw new HTTPException(403, { message: "Only the author or an admin can delete a post." });
        }
        if (!(await posts.remove(id, origin(c.env.requestId))))
          throw new HTTPException(404, { message: `No post ${id}.` });
        return c.body(null, 204);
      },
    );
}
