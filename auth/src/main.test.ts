import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { type Json, startTestService } from "./testing/index.ts";

describe("the auth service on its real listener", () => {
  let service: Awaited<ReturnType<typeof startTestService>>;
  beforeAll(async () => {
    service = await startTestService();
  });
  afterAll(() => service[Symbol.asyncDispose]());

  test("is alive and ready when MongoDB, Kafka, the outbox relay and the consumers answer", async () => {
    expect((await fetch(new URL("/healthz", service.url))).status).toBe(200);
    const ready = await fetch(new URL("/readyz", service.url));
    expect(await ready.json()).toEqual({
      status: "ok",
      checks: { mongodb: "ok", kafka: "ok", outbox: "ok", consumers: "ok" },
    });
    expect(ready.status).toBe(200);
  });

  test("answers an unknown route with a JSON 404 and a request id", async () => {
    const res = await fetch(new URL("/api/nothing-here", service.url));
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(res.headers.get("x-request-id")).toBeTruthy();
  });

  test("describes the events it produces: user-events and session-events", async () => {
    const res = await fetch(new URL("/asyncapi.json", service.url));
    const doc = (await res.json()) as { channels: Record<string, unknown> };
    expect(Object.keys(doc.channels)).toEqual(["user-events", "session-events"]);
  });

  test("writes and reads the real MongoDB-wire server", async () => {
    const things = service.db.collection<{ _id: string; n: number }>("things");
    await things.insertOne({ _id: "a", n: 1 });
    const duplicate = await things.insertOne({ _id: "a", n: 2 }).catch((error: { code?: number }) => error.code);
    expect(duplicate).toBe(11000);
    expect(await things.findOne({ _id: "a" })).toEqual({ _id: "a", n: 1 });
  });
});

describe("the OpenAPI document", () => {
  test("documents the notification, activity and stats routes with their parameters", async () => {
    await using service = await startTestService();
    const doc: Json = await (await fetch(new URL("/openapi.json", service.url))).json();
    const params = (path: string) =>
      doc.paths[path].get.parameters.map((parameter: { name: string }) => parameter.name).sort();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(["/api/notifications", "/api/activity", "/api/stats"]),
    );
    expect(params("/api/activity")).toEqual(["cursor", "limit"]);
    expect(params("/api/stats")).toEqual(["from", "to"]);
    expect(doc.paths["/api/stats"].get.responses["403"]).toBeDefined();
  });
});
