import { createEvent, UserUpdated } from "@chirp/contracts";
import { validationHook } from "@chirp/platform/http";
import { bearerSecurity, jsonBody, problems } from "@chirp/platform/openapi";
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { deleteAccount } from "../accounts/deletion.ts";
import { revokeSessions, roleOf } from "../accounts/sessions.ts";
import { verifyCurrentPassword } from "../accounts/throttle.ts";
import type { AuthDeps, RouteEnv } from "../deps.ts";
import { requireBearer } from "./bearer.ts";
import { originOf } from "./origin.ts";
import { ChangePasswordBody, DeleteAccountBody, Me, UpdateProfileBody } from "./schemas.ts";
import { ownView } from "./views.ts";

const meResponse = { description: "The caller's account", content: { "application/json": { schema: Me } } };

const read = createRoute({
  method: "get",
  path: "/",
  operationId: "getMe",
  tags: ["me"],
  summary: "The caller's account",
  security: bearerSecurity,
  responses: { 200: meResponse, ...problems(401, 404, 503) },
});

const update = createRoute({
  method: "patch",
  path: "/",
  operationId: "updateMe",
  tags: ["me"],
  summary: "Edit the caller's name or bio",
  security: bearerSecurity,
  request: { body: jsonBody(UpdateProfileBody) },
  responses: { 200: meResponse, ...problems(400, 401, 404, 413, 503) },
});

const changePassword = createRoute({
  method: "post",
  path: "/password",
  operationId: "changePassword",
  tags: ["me"],
  summary: "Change the password; every other session is revoked",
  security: bearerSecurity,
  request: { body: jsonBody(ChangePasswordBody) },
  responses: { 204: { description: "Changed" }, ...problems(400, 401, 403, 413, 429, 503) },
});

const remove = createRoute({
  method: "delete",
  path: "/",
  operationId: "deleteMe",
  tags: ["me"],
  summary: "Delete the caller's account and every session",
  security: bearerSecurity,
  request: { body: jsonBody(DeleteAccountBody) },
  responses: { 204: { description: "Deleted" }, ...problems(400, 401, 403, 413, 429, 503) },
});

const wrongPassword = () => new HTTPException(403, { message: "The password is wrong." });

/** `/api/users/me`: the caller's own account. */
export function meRoutes(deps: AuthDeps) {
  const app = new OpenAPIHono<RouteEnv>({ defaultHook: validationHook });
  app.use(requireBearer(deps));

  async function current(userId: string) {
    const user = await deps.users.findById(userId);
    if (!user) throw new HTTPException(404, { message: "The account no longer exists." });
    return user;
  }
  /** Who is asking, for the throttle of current-password checks: the account's e-mail and the client address. */
  const caller = async (c: Context<RouteEnv>) => {
    const { userId } = c.var.caller;
    return { userId, email: (await current(userId)).email, address: deps.clientAddress(c.req.raw) };
  };
  const postCount = async (userId: string) => (await deps.users.postCounts([userId])).get(userId) ?? 0;

  return app
    .openapi(read, async (c) => {
      const user = await current(c.var.caller.userId);
      return c.json(ownView(user, await postCount(user.id), roleOf(deps, user)), 200);
    })
    .openapi(update, async (c) => {
      const before = await current(c.var.caller.userId);
      const edit = c.req.valid("json");
      const next = { name: edit.name ?? before.name, bio: edit.bio ?? before.bio };
      // An edit that changes nothing writes nothing and tells no one.
      if (next.name === before.name && next.bio === before.bio) {
        return c.json(ownView(before, await postCount(before.id), roleOf(deps, before)), 200);
      }
      const event = createEvent(UserUpdated, { userId: before.id, ...next }, originOf(c));
      const after = await deps.users.updateProfile(before.id, next, event);
      if (!after) throw new HTTPException(404, { message: "The account no longer exists." });
      return c.json(ownView(after, await postCount(after.id), roleOf(deps, after)), 200);
    })
    .openapi(changePassword, async (c) => {
      const { userId, sessionId } = c.var.caller;
      const { currentPassword, newPassword } = c.req.valid("json");
      if (!(await verifyCurrentPassword(deps, await caller(c), currentPassword))) throw wrongPassword();
      await deps.users.setPasswordHash(userId, await deps.hasher.hash(newPassword));
      // Links mailed before (a reset, an e-mail change) die with the old password.
      await deps.oneTimeTokens.revoke(userId);
      const others = (await deps.sessions.listByUser(userId)).filter((session) => session.id !== sessionId);
      await revokeSessions(
        deps,
        userId,
        others.map((session) => session.id),
        originOf(c),
      );
      return c.body(null, 204);
    })
    .openapi(remove, async (c) => {
      const { userId } = c.var.caller;
      const who = await caller(c);
      if (!(await verifyCurrentPassword(deps, who, c.req.valid("json").password))) throw wrongPassword();
      await deleteAccount(deps, { id: userId, email: who.email }, originOf(c));
      return c.body(null, 204);
    });
}
