import { afterAll, describe, expect, test } from "bun:test";
import { createRoute, z } from "@hono/zod-openapi";
import { testServiceApp } from "./testing.ts";

// Through a real listener, requests carry content-length, which takes another path in the body limit.
const app = testServiceApp().openapi(
  createRoute({
    method: "post",
    path: "/echo",
    request: { body: { content: { "application/json": { schema: z.object({ name: z.string() }) } } } },
    responses: { 200: { description: "the body back" } },
  }),
  (c) => c.json(c.req.valid("json"), 200),
);
const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: app.fetch });
afterAll(() => server.stop(true));

const post = (body: string) =>
  fetch(new URL("/echo", server.url), { method: "POST", headers: { "content-type": "application/json" }, body });

describe("createServiceApp on a real listener", () => {
  test("answers a body within the limit normally", async () => {
    const res = await post(JSON.stringify({ name: "Ada" }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ name: "Ada" });
  });

  test("answers a body over the limit with a 413 problem", async () => {
    const res = await post(JSON.stringify({ name: "x".repeat(2000) }));
    expect(res.status).toBe(413);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
  });
});
