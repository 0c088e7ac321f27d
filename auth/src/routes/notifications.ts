import { validationHook } from "@chirp/platform/http";
import { bearerSecurity, problems } from "@chirp/platform/openapi";
import { decodeCursor, PageQuery, page, pageOf } from "@chirp/platform/paging";
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { AuthDeps, RouteEnv } from "../deps.ts";
import { type NotificationRecord, notificationKinds } from "../stores/notification-store.ts";
import { requireBearer } from "./bearer.ts";

const Instant = z.iso.datetime({ offset: true });

export const NotificationView = z
  .object({
    id: z.string(),
    kind: z.enum(notificationKinds),
    to: z.string(),
    subject: z.string(),
    /**
     * `pending` until delivered; `sent` once an SMTP server accepted it, `logged` when the service has no SMTP
     * server configured and wrote it to its log; `failed` once every attempt failed.
     */
    status: z.enum(["pending", "sent", "logged", "failed"]),
    attempts: z.number().int().nonnegative(),
    lastError: z.string().nullable(),
    createdAt: Instant,
    sentAt: Instant.nullable(),
    /** When the next attempt is due, while pending. */
    nextAttemptAt: Instant.nullable(),
  })
  .openapi("Notification");

const list = createRoute({
  method: "get",
  path: "/",
  operationId: "listNotifications",
  tags: ["notifications"],
  summary: "The caller's notifications (the welcome e-mail) with their delivery status",
  security: bearerSecurity,
  request: { query: PageQuery },
  responses: {
    200: {
      description: "Notifications, newest first; `nextCursor` is null on the last page",
      content: { "application/json": { schema: pageOf(NotificationView, "NotificationPage") } },
    },
    ...problems(400, 401, 503),
  },
});

const view = (n: NotificationRecord): z.infer<typeof NotificationView> => ({
  id: n.id,
  kind: n.kind,
  to: n.to,
  subject: n.subject,
  status: n.status,
  attempts: n.attempts,
  lastError: n.lastError,
  createdAt: n.createdAt.toISOString(),
  sentAt: n.sentAt?.toISOString() ?? null,
  nextAttemptAt: n.nextAttemptAt?.toISOString() ?? null,
});

/** `/api/notifications`: what the service sent (or is trying to send) to the caller. */
export function notificationRoutes(deps: AuthDeps) {
  const app = new OpenAPIHono<RouteEnv>({ defaultHook: validationHook });
  app.use(requireBearer(deps));
  return app.openapi(list, async (c) => {
    const { limit, cursor } = c.req.valid("query");
    const after = cursor ? decodeCursor(cursor) : null;
    // A user has one notification of each kind at most: they are paged here rather than in the store.
    const keyset = (n: NotificationRecord) => ({ at: n.createdAt, id: n.id });
    const older = (n: NotificationRecord) =>
      !after || n.createdAt < after.at || (n.createdAt.getTime() === after.at.getTime() && n.id < after.id);
    const newestFirst = (await deps.notifications.listByUser(c.var.caller.userId))
      .filter(older)
      .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1));
    const { items, nextCursor } = page(newestFirst, limit, keyset);
    return c.json({ items: items.map(view), nextCursor }, 200);
  });
}
