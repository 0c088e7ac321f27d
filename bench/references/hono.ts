// The framework's own floor: a bare Hono app (no middleware) answering /healthz as the services do. The
// services must use Hono, so no stack built on it can beat this figure against the raw Bun.serve hello.
// With REQUEST_ID=1 it also does the one thing the spec asks of every response: an `x-request-id`, the
// caller's or a new one, set on the answer in the cheapest way (around Hono's dispatch, as the services do).
// `/api/whoami` is the same floor for the authenticated route: the bearer looked up among tokens seen
// before (the hit path of a verified-token cache, which is all a warmed run exercises) and the claims
// answered as the post service does. A token it has not seen is decoded without checking its signature:
// this is a floor to measure against, not a service.
import { Hono } from "hono";

const app = new Hono();
app.get("/healthz", (c) => c.json({ status: "ok" }));
type Claims = { sub: string; sid: string; role: string; exp: number };
const claimsOf = new Map<string, Claims>();
app.get("/api/whoami", (c) => {
  const token = c.req.header("authorization")?.slice(7) ?? "";
  let claims = claimsOf.get(token);
  if (!claims) {
    claims = JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString()) as Claims;
    claimsOf.set(token, claims);
  }
  const { sub, sid, role, exp } = claims;
  return c.json({ userId: sub, sessionId: sid, role, expiresAt: new Date(exp * 1000).toISOString() });
});
let count = 0;
const withRequestId = (request: Request) => {
  const response = app.fetch(request) as Response;
  response.headers.set("x-request-id", request.headers.get("x-request-id") ?? `ref-${(++count).toString(36)}`);
  return response;
};
const fetch = process.env.REQUEST_ID === "1" ? withRequestId : app.fetch;
const server = Bun.serve({ hostname: "127.0.0.1", port: Number(process.env.PORT ?? 0), fetch });
console.log(server.url.href);
