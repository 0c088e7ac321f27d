import { validationHook } from "@chirp/platform/http";
import { bearerSecurity, problems } from "@chirp/platform/openapi";
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { AuthDeps, RouteEnv } from "../deps.ts";
import type { ActivityCursor, ActivityEntry } from "../stores/activity-store.ts";
import { requireBearer } from "./bearer.ts";

/** Cursors are opaque to clients: the last entry's time and id, base64url-encoded. */
export const encodeCursor = ({ occurredAt, id }: ActivityCursor) =>
  Buffer.from(JSON.stringify([occurredAt.getTime(), id])).toString("base64url");

export function decodeCursor(cursor: string): ActivityCursor | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, "base64url").toString());
    if (!Array.isArray(value) || value.length !== 2) return null;
    const [ms, id] = value;
    if (!Number.isSafeInteger(ms) || typeof id !== "string") return null;
    return { occurredAt: new Date(ms), id };
  } catch {
    return null;
  }
}

const ActivityQuery = z.object({
  limit: z.coerce.number().int().min(1).max(100).default(20).openapi({ example: 20 }),
  cursor: z
    .string()
    .max(300)
    .refine((cursor) => decodeCursor(cursor) !== null, "not a cursor from this API")
    .optional()
    .openapi({ description: "`nextCursor` of the previous page" }),
});

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
  request: { query: ActivityQuery },
  responses: {
    200: {
      description: "One page; `nextCursor` is null on the last",
      content: {
        "application/json": {
          schema: z.object({ items: z.array(ActivityView), nextCursor: z.string().nullable() }).openapi("ActivityPage"),
        },
      },
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
    // One extra entry tells whether another page exists without a count.
    const entries = await deps.activity.listByUser(c.var.principal.userId, limit + 1, after);
    const page = entries.slice(0, limit);
    const last = page.at(-1);
    const nextCursor = entries.length > limit && last ? encodeCursor(last) : null;
    return c.json({ items: page.map(view), nextCursor }, 200);
  });
}
