import { UserBatchRequest, UserBatchResponse } from "@chirp/contracts";
import { validationHook } from "@chirp/platform/http";
import { noSecurity, problems } from "@chirp/platform/openapi";
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import { HTTPException } from "hono/http-exception";
import type { AuthDeps, RouteEnv } from "../deps.ts";
import { createLimiter } from "../passwords/limiter.ts";
import { IdParam, PublicProfile } from "./schemas.ts";
import { publicView } from "./views.ts";

const profile = createRoute({
  method: "get",
  path: "/{id}",
  operationId: "getUser",
  tags: ["users"],
  summary: "A user's public profile",
  security: noSecurity,
  request: { params: IdParam },
  responses: {
    200: { description: "The profile", content: { "application/json": { schema: PublicProfile } } },
    ...problems(400, 404, 503),
  },
});

const batch = createRoute({
  method: "post",
  path: "/batch",
  operationId: "getUsersBatch",
  tags: ["users"],
  summary: "Public profiles of up to 100 users; unknown ids are left out",
  security: noSecurity,
  request: { body: { content: { "application/json": { schema: UserBatchRequest } }, required: true } },
  responses: {
    200: { description: "The known users", content: { "application/json": { schema: UserBatchResponse } } },
    ...problems(400, 413, 503),
  },
});

/** `/api/users`: public profiles, for anyone and for the post service's author lookups. */
export function userRoutes(deps: AuthDeps) {
  // Anyone may ask, and each batch reads up to 100 users and their post counts: excess is refused with 503,
  // so a loop of batches cannot take the database from everyone else.
  const lookups = createLimiter(deps.settings.userLookups.concurrency, deps.settings.userLookups.queue);
  return new OpenAPIHono<RouteEnv>({ defaultHook: validationHook })
    .openapi(batch, async (c) => {
      const ids = [...new Set(c.req.valid("json").ids)];
      const [users, counts] = await lookups.run(() =>
        Promise.all([deps.users.findMany(ids), deps.users.postCounts(ids)]),
      );
      return c.json({ users: users.map((user) => publicView(user, counts.get(user.id) ?? 0)) }, 200);
    })
    .openapi(profile, async (c) => {
      const { id } = c.req.valid("param");
      const [user, counts] = await Promise.all([deps.users.findById(id), deps.users.postCounts([id])]);
      if (!user) throw new HTTPException(404, { message: "No such user." });
      return c.json(publicView(user, counts.get(id) ?? 0), 200);
    });
}
