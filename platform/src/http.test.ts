import { describe, expect, test } from "bun:test";
import { createRoute, z } from "@hono/zod-openapi";
import { Hono } from "hono";
import pino from "pino";
import { createServiceApp } from "./http.ts";
import { createLogger } from "./logger.ts";
import { createReadiness } from "./readiness.ts";

const logger = createLogger("test", "silent");

function appWith(checks: Parameters<typeof createReadiness>[0] = {}) {
  const app = createServiceApp({
    service: "test",
    version: "1.0.0",
    logger,
    bodyLimitBytes: 1024,
    readiness: createReadiness(checks, 50),
  });
  const echo = createRoute({
    method: "post",
    path: "/echo",
    request: {
      body: {
        content: { "application/json": { schema: z.object({ name: z.string().min(1), age: z.number().int() }) } },
      },
    },
    responses: { 200: { description: "the body back" } },
  });
  return app.openapi(echo, (c) => c.json(c.req.valid("json"), 200));
}

const postJson = (body: string, headers: Record<string, string> = {}) => ({
  method: "POST",
  headers: { "content-type": "application/json", ...headers },
  body,
});

describe("createServiceApp", () => {
  test("GET /healthz answers without touching dependencies", async () => {
    const res = await appWith({ db: () => Promise.reject(new Error("down")) }).request("/healthz");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok" });
  });

  test("GET /readyz is 200 when every check passes", async () => {
    const res = await appWith({ db: async () => {}, kafka: async () => {} }).request("/readyz");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok", checks: { db: "ok", kafka: "ok" } });
  });

  test("GET /readyz is 503 and names the failing and the silent dependency", async () => {
    const app = appWith({
      db: async () => {},
      kafka: () => Promise.reject(new Error("connection refused")),
      slow: () => new Promise(() => {}),
    });
    const res = await app.request("/readyz");
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({
      status: "unavailable",
      checks: { db: "ok", kafka: "connection refused", slow: "no answer within 50 ms" },
    });
  });

  test("an unknown route is a JSON problem 404", async () => {
    const res = await appWith().request("/nope");
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(await res.json()).toEqual({
      type: "about:blank",
      title: "Not Found",
      status: 404,
      detail: "No route for GET /nope.",
    });
  });

  test("validation errors are a 400 problem listing each field", async () => {
    const res = await appWith().request("/echo", postJson(JSON.stringify({ name: "", age: 1.5 })));
    expect(res.status).toBe(400);
    const body = (await res.json()) as { errors: { path: string }[] };
    expect(body).toMatchObject({ title: "Bad Request", status: 400 });
    expect(body.errors.map((error) => error.path)).toEqual(["name", "age"]);
  });

  test("malformed JSON is a 400 problem, not a 500", async () => {
    const res = await appWith().request("/echo", postJson("{oops"));
    expect(res.status).toBe(400);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
  });

  test("a body over the limit is a 413 problem", async () => {
    const big = JSON.stringify({ name: "x".repeat(2000), age: 1 });
    const res = await appWith().request("/echo", postJson(big));
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ status: 413, detail: "The body exceeds 1024 bytes." });
  });

  test("echoes a caller's x-request-id and makes one up otherwise", async () => {
    const app = appWith();
    const given = await app.request("/healthz", { headers: { "x-request-id": "abc-123" } });
    expect(given.headers.get("x-request-id")).toBe("abc-123");
    const made = await app.request("/healthz");
    expect(made.headers.get("x-request-id")).toMatch(/^[0-9a-f]{8}-[0-9a-z]+$/);
    const again = await app.request("/healthz");
    expect(again.headers.get("x-request-id")).not.toBe(made.headers.get("x-request-id"));
    const hostile = await app.request("/healthz", { headers: { "x-request-id": "<script>" } });
    expect(hostile.headers.get("x-request-id")).not.toBe("<script>");
  });

  test("an unexpected error is a 500 problem that does not leak the message", async () => {
    const app = appWith();
    app.get("/boom", () => {
      throw new Error("secret internals");
    });
    const res = await app.request("/boom");
    expect(res.status).toBe(500);
    expect(await res.text()).not.toContain("secret internals");
  });

  test("serves an OpenAPI 3.1 document built from the validating schemas, and a docs page", async () => {
    const app = appWith();
    const doc = (await (await app.request("/openapi.json")).json()) as {
      openapi: string;
      paths: Record<string, unknown>;
    };
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.paths).toHaveProperty("/echo");
    const docs = await app.request("/docs");
    expect(docs.headers.get("content-type")).toContain("text/html");
    expect(await docs.text()).toContain("/openapi.json");
  });

  test("serves Prometheus metrics with request durations by matched route", async () => {
    const app = appWith();
    await app.request("/echo", postJson(JSON.stringify({ name: "a", age: 1 })));
    await app.request("/healthz");
    const res = await app.request("/metrics");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/plain");
    const text = await res.text();
    expect(text).toContain(
      'http_request_duration_seconds_count{method="POST",route="/echo",status="200",service="test"} 1',
    );
    expect(text).not.toContain('route="/healthz"');
    expect(text).toContain("process_resident_memory_bytes");
  });

  test("labels requests by route pattern: ids in paths, HEAD and unknown paths add no series of their own", async () => {
    const app = appWith();
    app.get("/things/:id", (c) => c.json({ id: c.req.param("id") }));
    for (const id of ["a", "b", "c"]) await app.request(`/things/${id}`);
    await app.request("/things/d", { method: "HEAD" });
    await app.request("/nope/1");
    await app.request("/nope", postJson("{}"));
    const text = await (await app.request("/metrics")).text();
    const series = (method: string, route: string, status: number) =>
      `http_request_duration_seconds_count{method="${method}",route="${route}",status="${status}",service="test"}`;
    expect(text).toContain(`${series("GET", "/things/:id", 200)} 3`);
    expect(text).toContain(`${series("HEAD", "/things/:id", 200)} 1`);
    expect(text).toContain(`${series("GET", "unmatched", 404)} 1`);
    expect(text).toContain(`${series("POST", "unmatched", 404)} 1`);
    expect(text).not.toContain('route="/things/a"');
  });

  test("labels a request by the route that answered it, not by a later pattern that also matches", async () => {
    const app = appWith();
    // As in auth: /api/users/me (behind its own middleware) is mounted before /api/users/:id.
    const me = new Hono().use(async (_c, next) => next()).get("/", (c) => c.json({ me: true }));
    app.route("/api/users/me", me);
    app.route(
      "/api/users",
      new Hono().get("/:id", (c) => c.json({ id: c.req.param("id") })),
    );
    expect(await (await app.request("/api/users/me")).json()).toEqual({ me: true });
    await app.request("/api/users/u1");
    await app.request("/api/users/me/unknown");
    const text = await (await app.request("/metrics")).text();
    const series = (route: string, status: number) =>
      `http_request_duration_seconds_count{method="GET",route="${route}",status="${status}",service="test"} 1`;
    expect(text).toContain(series("/api/users/me", 200));
    expect(text).toContain(series("/api/users/:id", 200));
    expect(text).toContain(series("unmatched", 404));
  });

  test("handlers read the request id and the logger from c.env, and the access log carries the same id", async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = pino({ level: "info" }, { write: (line: string) => lines.push(JSON.parse(line)) });
    const app = createServiceApp({
      service: "test",
      version: "1.0.0",
      logger,
      bodyLimitBytes: 1024,
      readiness: createReadiness({}, 50),
    });
    app.get("/id", (c) => c.json({ requestId: c.env.requestId, same: c.env.logger === logger }));
    const res = await app.request("/id", { headers: { "x-request-id": "given-1" } });
    expect(await res.json()).toEqual({ requestId: "given-1", same: true });
    expect(lines).toContainEqual(expect.objectContaining({ requestId: "given-1", path: "/id", status: 200 }));
  });
});
