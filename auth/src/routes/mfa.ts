import { validationHook } from "@chirp/platform/http";
import { bearerSecurity, jsonBody, jsonResponse, problems } from "@chirp/platform/openapi";
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { checkSecondFactor, enableTotp, setUpTotp } from "../accounts/mfa.ts";
import { verifyCurrentPassword } from "../accounts/throttle.ts";
import type { AuthDeps, RouteEnv } from "../deps.ts";
import { requireBearer } from "./bearer.ts";
import { MfaDisableBody, MfaEnableBody, MfaSetup, MfaSetupBody, RecoveryCodes } from "./schemas.ts";

const mfa = { tags: ["mfa"], security: bearerSecurity };

const setup = createRoute({
  ...mfa,
  method: "post",
  path: "/setup",
  operationId: "setUpTotp",
  summary: "Start TOTP enrolment: a new secret (RFC 6238, 30 s, 6 digits), pending until a code enables it",
  request: { body: jsonBody(MfaSetupBody) },
  responses: {
    200: jsonResponse(MfaSetup, "The secret and its otpauth:// URL (the QR code's content)"),
    ...problems(400, 401, 403, 409, 413, 429, 503),
  },
});

const enable = createRoute({
  ...mfa,
  method: "post",
  path: "/enable",
  operationId: "enableTotp",
  summary: "Turn MFA on with a code from the pending secret; answers the 10 recovery codes, once",
  request: { body: jsonBody(MfaEnableBody) },
  responses: {
    200: jsonResponse(RecoveryCodes, "MFA is on; keep these codes: each works once, and they are not shown again"),
    ...problems(400, 401, 409, 413, 503),
  },
});

const disable = createRoute({
  ...mfa,
  method: "delete",
  path: "/",
  operationId: "disableTotp",
  summary: "Turn MFA off, with the password and a current code",
  request: { body: jsonBody(MfaDisableBody) },
  responses: { 204: { description: "MFA is off" }, ...problems(400, 401, 403, 409, 413, 429, 503) },
});

/** `/api/auth/mfa/totp`: the caller's TOTP second factor. */
export function mfaRoutes(deps: AuthDeps) {
  const app = new OpenAPIHono<RouteEnv>({ defaultHook: validationHook });
  app.use(requireBearer(deps));
  /** The caller's account, having proven its password (throttled as logins are). */
  const withPassword = async (c: Context<RouteEnv>, password: string) => {
    const user = await deps.users.findById(c.var.caller.userId);
    if (!user) throw new HTTPException(401, { message: "The account no longer exists." });
    const caller = { userId: user.id, email: user.email, address: deps.clientAddress(c.req.raw) };
    if (!(await verifyCurrentPassword(deps, caller, password))) {
      throw new HTTPException(403, { message: "The password is wrong." });
    }
    return user;
  };
  return app
    .openapi(setup, async (c) => {
      const user = await withPassword(c, c.req.valid("json").password);
      if (user.mfaEnabled) throw new HTTPException(409, { message: "MFA is on already: turn it off first." });
      return c.json(await setUpTotp(deps, user), 200);
    })
    .openapi(enable, async (c) => {
      const codes = await enableTotp(deps, c.var.caller.userId, c.req.valid("json").code);
      if (codes === "enabled") throw new HTTPException(409, { message: "MFA is on already." });
      if (!codes) {
        throw new HTTPException(400, { message: "The code is wrong, used already, or there is no pending setup." });
      }
      return c.json({ recoveryCodes: codes }, 200);
    })
    .openapi(disable, async (c) => {
      const { password, code } = c.req.valid("json");
      const user = await withPassword(c, password);
      if (!user.mfaEnabled) throw new HTTPException(409, { message: "MFA is not on." });
      if (!(await checkSecondFactor(deps, user.id, { code }))) {
        throw new HTTPException(403, { message: "The code is wrong or used already." });
      }
      await deps.mfa.disable(user.id);
      return c.body(null, 204);
    });
}
