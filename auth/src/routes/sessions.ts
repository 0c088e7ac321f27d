import { validationHook } from "@chirp/platform/http";
import { bearerSecurity, problems } from "@chirp/platform/openapi";
import { decodeCursor, PageQuery, page, pageOf } from "@chirp/platform/paging";
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import { HTTPException } from "hono/http-exception";
import { revokeAllSessions, revokeSessions } from "../accounts/sessions.ts";
import type { AuthDeps, RouteEnv } from "../deps.ts";
import { requireBearer } from "./bearer.ts";
import { originOf } from "./origin.ts";
import { IdParam, SessionView } from "./schemas.ts";
import { sessionView } from "./views.ts";

const list = createRoute({
  method: "get",
  path: "/",
  operationId: "listSessions",
  tags: ["sessions"],
  summary: "The caller's live sessions",
  security: bearerSecurity,
  request: { query: PageQuery },
  responses: {
    200: {
      description: "Live sessions, oldest first; `nextCursor` is null on the last page",
      content: { "application/json": { schema: pageOf(SessionView, "SessionPage") } },
    },
    ...problems(400, 401, 503),
  },
});

const revokeOne = createRoute({
  method: "delete",
  path: "/{id}",
  operationId: "revokeSession",
  tags: ["sessions"],
  summary: "Revoke one of the caller's sessions",
  security: bearerSecurity,
  request: { params: IdParam },
  responses: { 204: { description: "Revoked" }, ...problems(400, 401, 404, 503) },
});

const revokeAll = createRoute({
  method: "delete",
  path: "/",
  operationId: "revokeAllSessions",
  tags: ["sessions"],
  summary: "Revoke every session of the caller, this one included",
  security: bearerSecurity,
  responses: { 204: { description: "All revoked" }, ...problems(401, 503) },
});

/** `/api/auth/sessions`: the caller's sessions. */
export function sessionRoutes(deps: AuthDeps) {
  const app = new OpenAPIHono<RouteEnv>({ defaultHook: validationHook });
  app.use(requireBearer(deps));
  return app
    .openapi(list, async (c) => {
      const { userId, sessionId } = c.var.caller;
      const { limit, cursor } = c.req.valid("query");
      const after = cursor ? (decodeCursor(cursor) ?? undefined) : undefined;
      const sessions = await deps.sessions.listByUser(userId, { limit: limit + 1, after });
      const { items, nextCursor } = page(sessions, limit, (session) => ({ at: session.createdAt, id: session.id }));
      return c.json({ items: items.map((session) => sessionView(session, sessionId)), nextCursor }, 200);
    })
    .openapi(revokeOne, async (c) => {
      const { userId } = c.var.caller;
      const session = await deps.sessions.find(c.req.valid("param").id);
      // Someone else's session is answered like a missing one, so ids cannot be probed.
      if (!session || session.userId !== userId) throw new HTTPException(404, { message: "No such session." });
      await revokeSessions(deps, userId, [session.id], originOf(c));
      return c.body(null, 204);
    })
    .openapi(revokeAll, async (c) => {
      await revokeAllSessions(deps, c.var.caller.userId, originOf(c));
      return c.body(null, 204);
    });
}
