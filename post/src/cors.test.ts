import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestService, testConfig } from "./testing/index.ts";

const app = "https://app.example.com";
let service: Awaited<ReturnType<typeof startTestService>>;
beforeAll(async () => {
  service = await startTestService(testConfig({ CORS_ORIGINS: `${app},http://localhost:5173` }));
});
afterAll(() => service[Symbol.asyncDispose]());

const call = (path: string, init: RequestInit) => fetch(new URL(path, service.url), init);

describe("post's CORS on its real listener", () => {
  test("answers an allowed origin's preflight for a post and lets it read the list", async () => {
    const preflight = await call("/api/posts", {
      method: "OPTIONS",
      headers: {
        origin: app,
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization,content-type",
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe(app);
    expect(preflight.headers.get("access-control-allow-methods")).toContain("POST");
    expect(preflight.headers.get("access-control-allow-headers")).toBe("Authorization,Content-Type,X-Request-Id");
    const list = await call("/api/posts", { headers: { origin: app } });
    expect(list.status).toBe(200);
    expect(list.headers.get("access-control-allow-origin")).toBe(app);
  });

  test("another origin gets no CORS header, and no answer to its preflight", async () => {
    const other = { origin: "https://elsewhere.example.com" };
    const list = await call("/api/posts", { headers: other });
    expect(list.status).toBe(200);
    expect([...list.headers.keys()].filter((name) => name.startsWith("access-control-"))).toEqual([]);
    const preflight = await call("/api/posts", {
      method: "OPTIONS",
      headers: { ...other, "access-control-request-method": "POST" },
    });
    expect(preflight.status).toBe(404);
    expect(preflight.headers.get("access-control-allow-origin")).toBeNull();
  });
});
