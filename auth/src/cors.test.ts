import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { uniqueName } from "@chirp/platform/testing";
import { startTestService, testConfig } from "./testing/index.ts";

const app = "http://localhost:5173";
let service: Awaited<ReturnType<typeof startTestService>>;
beforeAll(async () => {
  service = await startTestService(testConfig({ CORS_ORIGINS: app }));
});
afterAll(() => service[Symbol.asyncDispose]());

const call = (path: string, init: RequestInit) => fetch(new URL(path, service.url), init);

describe("auth's CORS on its real listener", () => {
  test("a browser app on an allowed origin registers and reads its account, and reads a 401", async () => {
    const preflight = await call("/api/users/me", {
      method: "OPTIONS",
      headers: {
        origin: app,
        "access-control-request-method": "GET",
        "access-control-request-headers": "authorization",
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe(app);
    expect(preflight.headers.get("access-control-allow-headers")).toContain("Authorization");

    const email = `${uniqueName("cors")}@example.com`;
    const registered = await call("/api/auth/register", {
      method: "POST",
      headers: { origin: app, "content-type": "application/json" },
      body: JSON.stringify({ name: "Ada", email, password: "correct horse battery" }),
    });
    expect(registered.status).toBe(201);
    expect(registered.headers.get("access-control-allow-origin")).toBe(app);
    const { accessToken } = (await registered.json()) as { accessToken: string };
    const me = await call("/api/users/me", { headers: { origin: app, authorization: `Bearer ${accessToken}` } });
    expect(me.status).toBe(200);
    expect(me.headers.get("access-control-allow-origin")).toBe(app);
    const anonymous = await call("/api/users/me", { headers: { origin: app } });
    expect(anonymous.status).toBe(401);
    expect(anonymous.headers.get("access-control-allow-origin")).toBe(app);
  });

  test("another origin gets no CORS header", async () => {
    const res = await call("/api/users/me", { headers: { origin: "https://elsewhere.example.com" } });
    expect(res.status).toBe(401);
    expect([...res.headers.keys()].filter((name) => name.startsWith("access-control-"))).toEqual([]);
  });
});
