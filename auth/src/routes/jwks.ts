import { validationHook } from "@chirp/platform/http";
import { noSecurity } from "@chirp/platform/openapi";
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { AuthDeps, RouteEnv } from "../deps.ts";

const Jwks = z
  .object({ keys: z.array(z.object({ kty: z.string(), kid: z.string(), alg: z.string() }).loose()) })
  .openapi("JWKS");

const jwks = createRoute({
  method: "get",
  path: "/jwks.json",
  operationId: "getJwks",
  tags: ["keys"],
  summary: "The public keys that verify access tokens, retired ones included until their tokens expire",
  security: noSecurity,
  responses: { 200: { description: "A JSON Web Key Set", content: { "application/json": { schema: Jwks } } } },
});

/** `/.well-known`: the JWKS that verifiers fetch (and refetch on an unknown `kid`). */
export function jwksRoutes(deps: Pick<AuthDeps, "keys">) {
  return new OpenAPIHono<RouteEnv>({ defaultHook: validationHook }).openapi(jwks, (c) => {
    c.header("cache-control", "public, max-age=60");
    return c.json(deps.keys.jwks() as z.infer<typeof Jwks>, 200);
  });
}
