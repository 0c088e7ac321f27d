import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestService, type TestService, testClient, testConfig } from "../testing/index.ts";

let service: TestService;
beforeAll(async () => {
  service = await startTestService(testConfig({ USER_LOOKUP_CONCURRENCY: "1", USER_LOOKUP_QUEUE: "1" }));
});
afterAll(() => service[Symbol.asyncDispose]());

describe("POST /api/users/batch under a flood", () => {
  test("lookups beyond the bound are refused with 503 + Retry-After, the rest answered, /me unaffected", async () => {
    const client = testClient(service);
    const { user, accessToken } = await client.register("Ann");
    const ids = [user.id, ...Array.from({ length: 99 }, (_, i) => `unknown-${i}`)];
    const [answers, me] = await Promise.all([
      Promise.all(
        Array.from({ length: 40 }, async () => {
          const res = await client.post("/api/users/batch", { ids });
          return { status: res.status, retryAfter: res.headers.get("retry-after"), users: res.body.users?.length };
        }),
      ),
      client.get("/api/users/me", accessToken),
    ]);
    const refused = answers.filter((answer) => answer.status === 503);
    const served = answers.filter((answer) => answer.status === 200);
    expect(refused.length + served.length).toBe(answers.length);
    expect(refused.length).toBeGreaterThan(0);
    expect(served.length).toBeGreaterThanOrEqual(1);
    expect(served.every((answer) => answer.users === 1)).toBe(true);
    expect(refused.every((answer) => Number(answer.retryAfter) >= 1)).toBe(true);
    expect(me.status).toBe(200);
  });
});
