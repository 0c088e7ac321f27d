import { describe, expect, test } from "bun:test";
import { asyncApiDocument, PostEvents, SessionEvents, type TopicDefinition, UserEvents } from "@chirp/contracts";
import { createServiceApp } from "./http.ts";
import { createLogger } from "./logger.ts";
import { createReadiness } from "./readiness.ts";

const logger = createLogger("test", "silent");
const authEvents = asyncApiDocument({ service: "auth", topics: [UserEvents, SessionEvents] });

const authTopics = [UserEvents, SessionEvents];

const appWith = (produces?: TopicDefinition[], service = "auth") =>
  createServiceApp({
    service,
    version: "1.0.0",
    logger,
    bodyLimitBytes: 1024,
    readiness: createReadiness({}, 50),
    ...(produces ? { produces } : {}),
  });

describe("createServiceApp for a service that produces events", () => {
  test("serves the document at /asyncapi.json", async () => {
    const res = await appWith(authTopics).request("/asyncapi.json");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(JSON.parse(JSON.stringify(authEvents)));
  });

  test("renders each topic and message with its schema at /docs/events, escaped", async () => {
    const res = await appWith(authTopics).request("/docs/events");
    expect(res.headers.get("content-type")).toContain("text/html");
    const html = await res.text();
    for (const part of [
      'id="user-events"',
      'id="session-events"',
      'id="user.registered.v1"',
      'id="session.revoked.v1"',
    ]) {
      expect(html).toContain(part);
    }
    expect(html).not.toContain('id="post-events"');
    expect(html).toContain("Kafka key: The user id.");
    expect(html).toContain("&quot;required&quot;: [");
    expect(html).toContain('<a href="/asyncapi.json">');
  });

  test("links the events page from the OpenAPI document that /docs shows", async () => {
    const doc = (await (await appWith(authTopics).request("/openapi.json")).json()) as {
      info: { description?: string };
    };
    expect(doc.info.description).toContain("[/docs/events](/docs/events)");
  });

  test("serves neither route, nor the link, for a service that produces none", async () => {
    const app = appWith();
    expect((await app.request("/asyncapi.json")).status).toBe(404);
    expect((await app.request("/docs/events")).status).toBe(404);
    const doc = (await (await app.request("/openapi.json")).json()) as { info: { description?: string } };
    expect(doc.info.description).toBeUndefined();
  });

  test("a post service document lists post-events only", async () => {
    const res = await appWith([PostEvents], "post").request("/asyncapi.json");
    expect(Object.keys(((await res.json()) as { channels: object }).channels)).toEqual(["post-events"]);
  });
});
