import { describe, expect, test } from "bun:test";
import { z } from "zod";
import { CommonEnv, parseEnv } from "./config.ts";
import { testServiceApp } from "./testing.ts";

const app = "https://app.example.com";
const corsHeaders = (res: Response) =>
  Object.fromEntries([...res.headers].filter(([name]) => name.startsWith("access-control-")));
const preflight = (origin: string) => ({
  method: "OPTIONS",
  headers: {
    origin,
    "access-control-request-method": "POST",
    "access-control-request-headers": "authorization,content-type",
  },
});

describe("CORS", () => {
  const service = testServiceApp({ corsOrigins: [app, "http://localhost:5173"] });

  test("answers an allowed origin's preflight with 204 and the methods and headers it may send", async () => {
    const res = await service.request("/api/anything", preflight(app));
    expect(res.status).toBe(204);
    expect(corsHeaders(res)).toEqual({
      "access-control-allow-origin": app,
      "access-control-allow-methods": "GET,HEAD,PUT,POST,DELETE,PATCH,QUERY",
      "access-control-allow-headers": "Authorization,Content-Type,X-Request-Id",
      "access-control-expose-headers": "X-Request-Id,Retry-After,WWW-Authenticate",
      "access-control-max-age": "600",
    });
    expect(res.headers.get("vary")).toContain("Origin");
  });

  test("lets an allowed origin read answers, problems included", async () => {
    for (const [path, status] of [
      ["/healthz", 200],
      ["/nowhere", 404],
    ] as const) {
      const res = await service.request(path, { headers: { origin: "http://localhost:5173" } });
      expect(res.status).toBe(status);
      expect(res.headers.get("access-control-allow-origin")).toBe("http://localhost:5173");
      expect(res.headers.get("access-control-expose-headers")).toContain("Retry-After");
    }
    const big = await service.request("/nowhere", { method: "POST", headers: { origin: app }, body: "x".repeat(2048) });
    expect(big.status).toBe(413);
    expect(big.headers.get("access-control-allow-origin")).toBe(app);
  });

  test("gives any other origin no CORS header, and leaves its preflight unanswered", async () => {
    const res = await service.request("/healthz", { headers: { origin: "https://evil.example.com" } });
    expect(res.status).toBe(200);
    expect(corsHeaders(res)).toEqual({});
    expect(res.headers.get("vary")).toContain("Origin");
    const refused = await service.request("/api/anything", preflight("https://evil.example.com"));
    expect(refused.status).toBe(404);
    expect(corsHeaders(refused)).toEqual({});
  });

  test("allows no origin by default", async () => {
    const closed = testServiceApp();
    const res = await closed.request("/healthz", { headers: { origin: app } });
    expect(corsHeaders(res)).toEqual({});
    expect((await closed.request("/api/anything", preflight(app))).status).toBe(404);
  });
});

describe("CORS_ORIGINS", () => {
  const Env = z.object({ CORS_ORIGINS: CommonEnv.shape.CORS_ORIGINS });

  test("is a comma-separated list of origins, none by default", () => {
    expect(parseEnv(Env, {}).CORS_ORIGINS).toEqual([]);
    expect(parseEnv(Env, { CORS_ORIGINS: " https://app.example.com , http://localhost:5173 " }).CORS_ORIGINS).toEqual([
      "https://app.example.com",
      "http://localhost:5173",
    ]);
  });

  test("refuses what is not an origin: a path, a trailing slash, a bare host, a wildcard", () => {
    for (const value of ["https://app.example.com/", "https://app.example.com/app", "app.example.com", "*"]) {
      expect(() => parseEnv(Env, { CORS_ORIGINS: value })).toThrow(
        "CORS_ORIGINS.0: must be origins such as https://app.example.com, comma-separated",
      );
    }
  });
});
