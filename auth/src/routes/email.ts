import { validationHook } from "@chirp/platform/http";
import { bearerSecurity, jsonBody, problems } from "@chirp/platform/openapi";
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { HTTPException } from "hono/http-exception";
import { issueOneTimeToken, redeemOneTimeToken } from "../accounts/one-time-tokens.ts";
import { roleOf } from "../accounts/sessions.ts";
import { claimAddressAttempt } from "../accounts/throttle.ts";
import type { AuthDeps, RouteEnv } from "../deps.ts";
import { verifyEmailMail } from "../notifications/templates/account.ts";
import { accountKey } from "../stores/address-attempt-store.ts";
import { requireBearer } from "./bearer.ts";
import { Accepted, Me, TokenBody } from "./schemas.ts";
import { ownView } from "./views.ts";

const userResponse = (description: string) => ({
  description,
  content: { "application/json": { schema: z.object({ user: Me }).openapi("UserEnvelope") } },
});
export const accepted = (detail: string) => ({ status: "accepted" as const, detail });
const acceptedResponse = { description: "Accepted", content: { "application/json": { schema: Accepted } } };

/** One answer for every token that cannot be used, whatever the reason: it tells a guesser nothing. */
export const unusableLink = () =>
  new HTTPException(400, { message: "The link is invalid, expired, replaced by a newer one, or used already." });

const verify = createRoute({
  method: "post",
  path: "/verify",
  operationId: "verifyEmail",
  security: [],
  tags: ["auth"],
  summary: "Verify the account's e-mail address with the token of the mailed link",
  request: { body: jsonBody(TokenBody) },
  responses: { 200: userResponse("The account, verified"), ...problems(400, 413) },
});

const resend = createRoute({
  method: "post",
  path: "/verify/resend",
  operationId: "resendVerification",
  tags: ["auth"],
  summary: "Mail a new verification link (the older ones stop working); throttled per account",
  security: bearerSecurity,
  responses: { 202: acceptedResponse, ...problems(401, 404, 409, 429, 503) },
});

const confirmChange = createRoute({
  method: "post",
  path: "/change/confirm",
  operationId: "confirmEmailChange",
  security: [],
  tags: ["auth"],
  summary: "Apply an e-mail change with the token of the link mailed to the new address",
  request: { body: jsonBody(TokenBody) },
  responses: { 200: userResponse("The account at its new address, verified"), ...problems(400, 409, 413) },
});

/** Sends the account a verification link for its current address: a new token, superseding the older ones. */
export async function mailVerificationLink(
  deps: Pick<AuthDeps, "oneTimeTokens" | "mail" | "settings">,
  user: { id: string; name: string; email: string },
) {
  const token = await issueOneTimeToken(deps.oneTimeTokens, { userId: user.id, email: user.email }, "verify-email");
  await deps.mail.queue(user.id, "verify-email", verifyEmailMail(deps.settings.appUrl, user, token));
}

/** `/api/auth/email`: proving an address (on register, or when it changes). */
export function emailRoutes(deps: AuthDeps) {
  const view = async (userId: string) => {
    const user = await deps.users.findById(userId);
    if (!user) throw unusableLink();
    const postCount = (await deps.users.postCounts([user.id])).get(user.id) ?? 0;
    return { user: ownView(user, postCount, roleOf(deps, user)) };
  };
  const app = new OpenAPIHono<RouteEnv>({ defaultHook: validationHook });
  app.use("/verify/resend", requireBearer(deps));
  return app
    .openapi(verify, async (c) => {
      const token = await redeemOneTimeToken(deps.oneTimeTokens, c.req.valid("json").token, "verify-email");
      const user = token && (await deps.users.findById(token.userId));
      // A link to an address the account has left since proves nothing about the current one.
      if (!token || !user || user.email !== token.email) throw unusableLink();
      await deps.users.markVerified(user.id, user.email);
      return c.json(await view(user.id), 200);
    })
    .openapi(confirmChange, async (c) => {
      const token = await redeemOneTimeToken(deps.oneTimeTokens, c.req.valid("json").token, "change-email");
      if (!token) throw unusableLink();
      // The unique index decides: of two accounts moving to one address, or a sign-up racing a move, one wins.
      const changed = await deps.users.changeEmail(token.userId, token.email);
      if (changed === null) throw unusableLink();
      if (!changed) throw new HTTPException(409, { message: "Another account uses this e-mail address now." });
      return c.json(await view(token.userId), 200);
    })
    .openapi(resend, async (c) => {
      const { userId } = c.var.caller;
      const perAccount = { action: "verify-resend" as const, address: accountKey(userId) };
      await claimAddressAttempt(deps.addressAttempts, deps.settings.resendLimit, perAccount);
      const user = await deps.users.findById(userId);
      if (!user) throw new HTTPException(404, { message: "The account no longer exists." });
      if (user.emailVerified) throw new HTTPException(409, { message: "The e-mail address is verified already." });
      await mailVerificationLink(deps, user);
      return c.json(accepted("A new verification link is on its way."), 202);
    });
}
