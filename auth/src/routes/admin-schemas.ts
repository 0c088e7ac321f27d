import { Id, singleLineText } from "@chirp/contracts";
import { z } from "@hono/zod-openapi";

export const AdminUsersQuery = z.object({
  q: z
    .string()
    .trim()
    .toLowerCase()
    .min(1)
    .max(320)
    .regex(singleLineText, "must not contain control characters")
    .optional()
    .openapi({ description: "A prefix of the e-mail or of the name (any letter case)", example: "ada" }),
  cursor: Id.optional().openapi({ description: "`nextCursor` of the previous page" }),
  limit: z.coerce.number().int().min(1).max(100).default(20).openapi({ description: "1..100 (default 20)" }),
});

export const BanBody = z
  .object({
    reason: z
      .string()
      .trim()
      .min(1)
      .max(500)
      .regex(singleLineText, "must not contain control characters")
      .openapi({ example: "Spam" }),
  })
  .openapi("BanRequest");

const Instant = z.iso.datetime({ offset: true });

export const AdminUserView = z
  .object({
    id: Id,
    name: z.string(),
    email: z.string(),
    createdAt: Instant,
    /** The ban in force, if any. */
    ban: z.object({ reason: z.string(), adminId: Id, at: Instant }).nullable(),
    /** Failed logins within the throttle window, and whether they trip a limit of the account. */
    throttle: z.object({
      failedLogins: z.number().int(),
      /** Some client address is refused for this account, or every check of it is slowed. */
      throttled: z.boolean(),
    }),
  })
  .openapi("AdminUser");

export const AdminUserPage = z
  .object({ items: z.array(AdminUserView), nextCursor: Id.nullable() })
  .openapi("AdminUserPage");
