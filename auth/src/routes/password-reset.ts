import { validationHook } from "@chirp/platform/http";
import { jsonBody, problems } from "@chirp/platform/openapi";
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import { issueOneTimeToken, redeemOneTimeToken } from "../accounts/one-time-tokens.ts";
import { revokeSessions } from "../accounts/sessions.ts";
import { claimAddressAttempt } from "../accounts/throttle.ts";
import type { AuthDeps, RouteEnv } from "../deps.ts";
import { RetryLaterError } from "../errors.ts";
import { passwordResetNoticeMail, resetPasswordMail } from "../notifications/templates/account.ts";
import { OverloadedError } from "../passwords/limiter.ts";
import { accountKey } from "../stores/address-attempt-store.ts";
import { accepted, unusableLink } from "./email.ts";
import { originOf } from "./origin.ts";
import { Accepted, ForgotPasswordBody, ResetPasswordBody } from "./schemas.ts";

const forgot = createRoute({
  method: "post",
  path: "/forgot",
  operationId: "forgotPassword",
  security: [],
  tags: ["auth"],
  summary: "Mail a password reset link; the same answer, in similar time, whether or not the account exists",
  request: { body: jsonBody(ForgotPasswordBody) },
  responses: {
    202: { description: "Accepted", content: { "application/json": { schema: Accepted } } },
    ...problems(400, 413, 429, 503),
  },
});

const reset = createRoute({
  method: "post",
  path: "/reset",
  operationId: "resetPassword",
  security: [],
  tags: ["auth"],
  summary: "Set a new password with the token of the mailed link; every session is revoked",
  request: { body: jsonBody(ResetPasswordBody) },
  responses: { 204: { description: "The password is reset" }, ...problems(400, 413, 503) },
});

/** False when the throttle refused (429), instead of throwing. */
async function withinLimit(claim: () => Promise<void>) {
  try {
    await claim();
    return true;
  } catch (error) {
    if (error instanceof RetryLaterError) return false;
    throw error;
  }
}

const forgotAnswer = accepted("If an account uses this address, a link to reset its password is on its way.");

/** `/api/auth/password`: a forgotten password, reset through a link mailed to the account's address. */
export function passwordResetRoutes(deps: AuthDeps) {
  return new OpenAPIHono<RouteEnv>({ defaultHook: validationHook })
    .openapi(forgot, async (c) => {
      const { email } = c.req.valid("json");
      const address = deps.clientAddress(c.req.raw);
      await claimAddressAttempt(deps.addressAttempts, deps.settings.forgotLimit, { action: "forgot", address });
      // The same work on the request path either way (the throttle's fact, one lookup); the token and the
      // mail are made after the answer, so an existing account does not answer later than a missing one.
      const user = await deps.users.findByEmail(email);
      if (user) {
        deps.mail.later(async () => {
          // Per account too, after the answer (so it cannot tell anything): many client addresses asking for one
          // account must not flood its owner's inbox. Past the limit the request is dropped silently.
          const perAccount = { action: "forgot" as const, address: accountKey(user.id) };
          if (
            !(await withinLimit(() => claimAddressAttempt(deps.addressAttempts, deps.settings.forgotLimit, perAccount)))
          ) {
            return;
          }
          const token = await issueOneTimeToken(deps.oneTimeTokens, { userId: user.id, email }, "reset-password");
          await deps.mail.queue(user.id, "password-reset", resetPasswordMail(deps.settings.appUrl, user, token));
        });
      }
      return c.json(forgotAnswer, 202);
    })
    .openapi(reset, async (c) => {
      const { token: secret, newPassword } = c.req.valid("json");
      // Refused before the token is spent: an overloaded hasher must not cost the user their link.
      if (deps.hasher.saturated()) throw new OverloadedError(1);
      const token = await redeemOneTimeToken(deps.oneTimeTokens, secret, "reset-password");
      const user = token && (await deps.users.findById(token.userId));
      // A link mailed to an address the account has left since is no proof of owning the account.
      if (!token || !user || user.email !== token.email) throw unusableLink();
      await deps.users.setPasswordHash(user.id, await deps.hasher.hash(newPassword));
      // A new password kills every outstanding link (another reset, a pending e-mail change) and session.
      await deps.oneTimeTokens.revoke(user.id);
      const sessions = await deps.sessions.listByUser(user.id);
      await revokeSessions(
        deps,
        user.id,
        sessions.map((session) => session.id),
        originOf(c),
      );
      // Whoever reset it read the account's mail: the address is proved, and the throttles are the owner's.
      await deps.users.markVerified(user.id, user.email);
      await deps.loginFailures.forget({ email: user.email });
      await deps.mail.queue(user.id, "password-reset-notice", passwordResetNoticeMail(deps.settings.appUrl, user));
      return c.body(null, 204);
    });
}
