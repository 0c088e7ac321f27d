import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestService } from "./testing.ts";

describe("the auth service on its real listener", () => {
  let service: Awaited<ReturnType<typeof startTestService>>;
  beforeAll(async () => {
    service = await startTestService();
  });
  afterAll(() => service[Symbol.asyncDispose]());

  test("is alive and ready when MongoDB and Kafka answer", async () => {
    expect((await fetch(new URL("/healthz", service.url))).status).toBe(200);
    const ready = await fetch(new URL("/readyz", service.url));
    expect(await ready.json()).toEqual({ status: "ok", checks: { mongodb: "ok", kafka: "ok", outbox: "ok" } });
    expect(ready.status).toBe(200);
  });

  test("answers an unknown route with a JSON 404 and a request id", async () => {
    const res = await fetch(new URL("/api/nothing-here", service.url));
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(res.headers.get("x-request-id")).toBeTruthy();
  });

  test("writes and reads the real MongoDB-wire server", async () => {
    const things = service.db.collection<{ _id: string; n: number }>("things");
    await things.insertOne({ _id: "a", n: 1 });
    const duplicate = await things.insertOne({ _id: "a", n: 2 }).catch((error: { code?: number }) => error.code);
    expect(duplicate).toBe(11000);
    expect(await things.findOne({ _id: "a" })).toEqual({ _id: "a", n: 1 });
  });
});
