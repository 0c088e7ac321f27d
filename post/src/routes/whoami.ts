import { Id, Role } from "@chirp/contracts";
import type { BearerAuth } from "@chirp/platform/auth/bearer";
import { type AppEnv, validationHook } from "@chirp/platform/http";
import { bearerSecurity, problems } from "@chirp/platform/openapi";
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";

const Identity = z
  .object({
    userId: Id,
    sessionId: Id,
    role: Role,
    /** When the access token stops working (ISO-8601). */
    expiresAt: z.iso.datetime(),
  })
  .openapi("Identity");

/**
 * `/api/whoami`: who this service takes the bearer to be, from the token alone (no database work). Lets a
 * client check a token against this service, and is the benchmark's authenticated route: it checks the
 * bearer with a guard, not a middleware, so a token verified before is answered synchronously.
 */
export function whoamiRoutes(auth: BearerAuth) {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook }).openapi(
    createRoute({
      method: "get",
      path: "/",
      operationId: "whoami",
      tags: ["identity"],
      summary: "The caller, as their access token says",
      security: bearerSecurity,
      responses: {
        200: { description: "The verified caller", content: { "application/json": { schema: Identity } } },
        ...problems(401, 503),
      },
    }),
    (c) =>
      auth.guard(c, ({ sub, sid, role, exp }) =>
        c.json({ userId: sub, sessionId: sid, role, expiresAt: new Date(exp * 1000).toISOString() }, 200),
      ),
  );
}
