import { validationHook } from "@chirp/platform/http";
import { bearerSecurity, problems } from "@chirp/platform/openapi";
import { decodeCursor, PageQuery, page, pageOf } from "@chirp/platform/paging";
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { AuthDeps, RouteEnv } from "../deps.ts";
import type { ActivityEntry } from "../stores/activity-store.ts";
import { requireBearer } from "./bearer.ts";

export const ActivityView = z
  .object({
    /** The id of the event. */
    id: z.string(),
    type: z.string().openapi({ example: "user.logged_in" }),
    occurredAt: z.iso.datetime({ offset: true }),
    /** The event's data. */
    data: z.record(z.string(), z.unknown()),
  })
  .openapi("Activity");

const list = createRoute({
  method: "get",
  path: "/",
  operationId: "listActivity",
  tags: ["activity"],
  summary: "The caller's own activity (logins, sessions, posts), newest first",
  security: bearerSecurity,
  request: { query: PageQuery },
  responses: {
    200: {
      description: "One page; `nextCursor` is null on the last",
      content: { "application/json": { schema: pageOf(ActivityView, "ActivityPage") } },
    },
    ...problems(400, 401, 503),
  },
});

const view = ({ id, type, occurredAt, data }: ActivityEntry) => ({
  id,
  type,
  occurredAt: occurredAt.toISOString(),
  data,
});

/** `/api/activity`: the caller's history, from the activity log the consumers fill. */
export function activityRoutes(deps: AuthDeps) {
  const app = new OpenAPIHono<RouteEnv>({ defaultHook: validationHook });
  app.use(requireBearer(deps));
  return app.openapi(list, async (c) => {
    const { limit, cursor } = c.req.valid("query");
    const after = cursor ? (decodeCursor(cursor) ?? undefined) : undefined;
    const entries = await deps.activity.listByUser(c.var.caller.userId, limit + 1, after);
    const { items, nextCursor } = page(entries, limit, (entry) => ({ at: entry.occurredAt, id: entry.id }));
    return c.json({ items: items.map(view), nextCursor }, 200);
  });
}
