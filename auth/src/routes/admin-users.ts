import { createEvent, UserBanned, UserUnbanned, UserUnlocked } from "@chirp/contracts";
import { validationHook } from "@chirp/platform/http";
import { bearerSecurity, jsonBody, problems } from "@chirp/platform/openapi";
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import { createMiddleware } from "hono/factory";
import { HTTPException } from "hono/http-exception";
import { deleteAccount } from "../accounts/deletion.ts";
import { revokeAllSessions } from "../accounts/sessions.ts";
import type { AuthDeps, RouteEnv } from "../deps.ts";
import { searchKey } from "../stores/user-store.ts";
import { AdminUserPage, AdminUsersQuery, BanBody } from "./admin-schemas.ts";
import { adminUserViews } from "./admin-views.ts";
import { requireBearer } from "./bearer.ts";
import { originOf } from "./origin.ts";
import { IdParam } from "./schemas.ts";

const admin = { tags: ["admin"], security: bearerSecurity };

const list = createRoute({
  ...admin,
  method: "get",
  path: "/",
  operationId: "adminListUsers",
  summary: "Users by e-mail or name prefix, with their ban and throttle state (admins only)",
  request: { query: AdminUsersQuery },
  responses: {
    200: { description: "A page of users, by id", content: { "application/json": { schema: AdminUserPage } } },
    ...problems(400, 401, 403, 503),
  },
});

const actionResponses = { 204: { description: "Done" }, ...problems(400, 401, 403, 404, 409, 503) };
const action = (path: string, operationId: string, summary: string) =>
  createRoute({
    ...admin,
    method: "post",
    path: `/{id}/${path}`,
    operationId,
    summary,
    request: { params: IdParam },
    responses: actionResponses,
  });

const ban = createRoute({
  ...admin,
  method: "post",
  path: "/{id}/ban",
  operationId: "adminBanUser",
  summary: "Ban an account: every session revoked, login and refresh refused (403); 409 if banned already",
  request: { params: IdParam, body: jsonBody(BanBody) },
  responses: { ...actionResponses, ...problems(413) },
});
const unban = action("unban", "adminUnbanUser", "Lift an account's ban; 409 if it is not banned");
const unlock = action("unlock", "adminUnlockUser", "Clear an account's failed-login throttles, from every address");

const remove = createRoute({
  ...admin,
  method: "delete",
  path: "/{id}",
  operationId: "adminDeleteUser",
  summary: "Delete an account as its owner would: profile, sessions, and everything derived from it",
  request: { params: IdParam },
  responses: { 204: { description: "Deleted" }, ...problems(400, 401, 403, 404, 503) },
});

/** Admins only: the role is the token's claim (`ADMIN_EMAILS`). */
const requireAdmin = createMiddleware<RouteEnv>(async (c, next) => {
  if (c.var.caller.role !== "admin") throw new HTTPException(403, { message: "This is for admins." });
  await next();
});

/**
 * `/api/admin/users`: user management. Each action is an event through the outbox naming the admin
 * (`user.banned`, `user.unbanned`, `user.unlocked`, `user.deleted` with `adminId`), which auth's consumer
 * writes to the activity log.
 */
export function adminUserRoutes(deps: AuthDeps) {
  const app = new OpenAPIHono<RouteEnv>({ defaultHook: validationHook });
  app.use(requireBearer(deps), requireAdmin);

  async function target(id: string) {
    const user = await deps.users.findById(id);
    if (!user) throw new HTTPException(404, { message: "No such user." });
    return user;
  }
  const conflict = (message: string) => new HTTPException(409, { message });

  return app
    .openapi(list, async (c) => {
      const { q, cursor, limit } = c.req.valid("query");
      // One more than asked, to know whether a next page exists without a second query.
      const found = await deps.users.search({
        ...(q ? { prefix: searchKey(q) } : {}),
        ...(cursor ? { after: cursor } : {}),
        limit: limit + 1,
      });
      const page = found.slice(0, limit);
      const nextCursor = found.length > limit ? (page.at(-1)?.id ?? null) : null;
      return c.json({ items: await adminUserViews(deps, page), nextCursor }, 200);
    })
    .openapi(ban, async (c) => {
      const adminId = c.var.caller.userId;
      const { id } = c.req.valid("param");
      const { reason } = c.req.valid("json");
      if (id === adminId) throw conflict("An admin cannot ban their own account.");
      await target(id);
      const origin = originOf(c);
      const event = createEvent(UserBanned, { userId: id, adminId, reason }, origin);
      const ban = { userId: id, adminId, reason, at: new Date(), eventId: event.id };
      try {
        // The ban is a fact whose unique insert decides a race between admins; its event names the ban it made.
        if (!(await deps.bans.ban(ban, event))) throw conflict("The account is banned already.");
      } finally {
        // Listed once the ban exists, so a login racing it has its session listed here or sees the ban
        // (routes/banned.ts). Revoked on a repeated ban too: a retry finishes a ban interrupted before this.
        await revokeAllSessions(deps, id, origin);
      }
      return c.body(null, 204);
    })
    .openapi(unban, async (c) => {
      const { id } = c.req.valid("param");
      await target(id);
      const event = createEvent(UserUnbanned, { userId: id, adminId: c.var.caller.userId }, originOf(c));
      if (!(await deps.bans.lift(id, event))) throw conflict("The account is not banned.");
      return c.body(null, 204);
    })
    .openapi(unlock, async (c) => {
      const { id } = c.req.valid("param");
      const user = await target(id);
      const event = createEvent(UserUnlocked, { userId: id, adminId: c.var.caller.userId }, originOf(c));
      await deps.loginFailures.unlock(user.email, event);
      return c.body(null, 204);
    })
    .openapi(remove, async (c) => {
      const user = await target(c.req.valid("param").id);
      await deleteAccount(deps, user, originOf(c), c.var.caller.userId);
      return c.body(null, 204);
    });
}
