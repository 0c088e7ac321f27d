import { describe, expect, test } from "bun:test";
import { HTTPException } from "hono/http-exception";
import { createReadiness } from "./readiness.ts";
import { testServiceApp } from "./testing.ts";

describe("Retry-After", () => {
  const app = testServiceApp({
    readiness: createReadiness({ database: () => Promise.reject(new Error("down")) }),
  })
    .get("/busy", () => {
      throw new HTTPException(503, { message: "Busy." });
    })
    .get("/slow-down", (c) => c.json({}, 429))
    .get("/later", (c) => c.json({}, 503, { "retry-after": "30" }));

  test("is on every 503 and 429, however it was answered", async () => {
    for (const [path, status] of [
      ["/busy", 503],
      ["/slow-down", 429],
      ["/readyz", 503],
    ] as const) {
      const res = await app.request(path);
      expect({ path, status: res.status, retryAfter: res.headers.get("retry-after") }).toEqual({
        path,
        status,
        retryAfter: "1",
      });
    }
  });

  test("keeps the wait a route chose", async () => {
    expect((await app.request("/later")).headers.get("retry-after")).toBe("30");
  });
});
