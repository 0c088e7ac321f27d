import { validationHook } from "@chirp/platform/http";
import { bearerSecurity, problems } from "@chirp/platform/openapi";
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import { HTTPException } from "hono/http-exception";
import { issueOneTimeToken } from "../accounts/one-time-tokens.ts";
import { verifyCurrentPassword } from "../accounts/throttle.ts";
import type { AuthDeps, RouteEnv } from "../deps.ts";
import { changeEmailMail, changeRequestedMail } from "../notifications/templates/account.ts";
import { requireBearer } from "./bearer.ts";
import { accepted } from "./email.ts";
import { Accepted, ChangeEmailBody } from "./schemas.ts";

const request = createRoute({
  method: "post",
  path: "/",
  operationId: "requestEmailChange",
  tags: ["me"],
  summary: "Ask to move the account to a new address: a link goes there, a notice to the current one",
  security: bearerSecurity,
  request: { body: { content: { "application/json": { schema: ChangeEmailBody } }, required: true } },
  responses: {
    202: { description: "Accepted", content: { "application/json": { schema: Accepted } } },
    ...problems(400, 401, 403, 404, 413, 429, 503),
  },
});

/**
 * `/api/users/me/email`. The change applies only when the link mailed to the new address is used
 * (`POST /api/auth/email/change/confirm`). Whether the new address is taken is not told here (that would
 * list who has an account); the unique index decides at confirmation.
 */
export function emailChangeRoutes(deps: AuthDeps) {
  const app = new OpenAPIHono<RouteEnv>({ defaultHook: validationHook });
  app.use(requireBearer(deps));
  return app.openapi(request, async (c) => {
    const { userId } = c.var.caller;
    const { newEmail, password } = c.req.valid("json");
    const user = await deps.users.findById(userId);
    if (!user) throw new HTTPException(404, { message: "The account no longer exists." });
    const caller = { userId, email: user.email, address: deps.clientAddress(c.req.raw) };
    if (!(await verifyCurrentPassword(deps, caller, password))) {
      throw new HTTPException(403, { message: "The password is wrong." });
    }
    if (newEmail === user.email) throw new HTTPException(400, { message: "This is the account's address already." });
    const token = await issueOneTimeToken(deps.oneTimeTokens, { userId, email: newEmail }, "change-email");
    const { appUrl } = deps.settings;
    await deps.mail.queue(userId, "email-change", changeEmailMail(appUrl, { name: user.name, email: newEmail }, token));
    await deps.mail.queue(userId, "email-change-notice", changeRequestedMail(appUrl, user, newEmail));
    return c.json(accepted("A link to confirm the change is on its way to the new address."), 202);
  });
}
