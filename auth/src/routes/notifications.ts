import { validationHook } from "@chirp/platform/http";
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { AuthDeps, RouteEnv } from "../deps.ts";
import { type NotificationRecord, notificationKinds } from "../stores/notification-store.ts";
import { requireBearer } from "./bearer.ts";
import { bearerSecurity, problems } from "./schemas.ts";

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
  tags: ["notifications"],
  summary: "The caller's notifications (the welcome e-mail) with their delivery status",
  security: bearerSecurity,
  responses: {
    200: {
      description: "Notifications, newest first",
      content: { "application/json": { schema: z.object({ notifications: z.array(NotificationView) }) } },
    },
    ...problems(401),
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
    const notifications = await deps.notifications.listByUser(c.var.principal.userId);
    return c.json({ notifications: notifications.map(view) }, 200);
  });
}
