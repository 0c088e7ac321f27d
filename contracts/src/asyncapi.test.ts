import { describe, expect, test } from "bun:test";
import { Parser } from "@asyncapi/parser";
import { asyncApiDocument } from "./asyncapi.ts";
import { Topics } from "./index.ts";
import { PostEvents } from "./post-events.ts";
import { SessionEvents } from "./session-events.ts";
import { UserEvents } from "./user-events.ts";

const parser = new Parser();
const errorsAndWarnings = (
  diagnostics: { severity: number; code: string | number; message: string; path: unknown[] }[],
) => diagnostics.filter((d) => d.severity <= 1).map((d) => `${d.code} ${d.message} at ${d.path.join("/")}`);

describe("asyncApiDocument", () => {
  test("is a valid AsyncAPI 3.0 document for every topic, by the AsyncAPI parser", async () => {
    const { document, diagnostics } = await parser.parse(JSON.stringify(asyncApiDocument({ topics: Topics })));
    expect(errorsAndWarnings(diagnostics)).toEqual([]);
    expect(document?.version()).toBe("3.0.0");
    expect(
      document
        ?.channels()
        .all()
        .map((channel) => channel.address()),
    ).toEqual(["user-events", "session-events", "post-events"]);
    const messages =
      document
        ?.allMessages()
        .all()
        .map((message) => message.id()) ?? [];
    expect(messages.sort()).toEqual([
      "post.created.v1",
      "post.deleted.v1",
      "post.updated.v1",
      "session.revoked.v1",
      "user.banned.v1",
      "user.deleted.v1",
      "user.logged_in.v1",
      "user.login_failed.v1",
      "user.registered.v1",
      "user.unbanned.v1",
      "user.unlocked.v1",
      "user.updated.v1",
    ]);
  });

  test("describes a service's own topics, their keys and payloads", async () => {
    const raw = asyncApiDocument({ service: "auth", topics: [UserEvents, SessionEvents] });
    const { document, diagnostics } = await parser.parse(JSON.stringify(raw));
    expect(errorsAndWarnings(diagnostics)).toEqual([]);
    expect(document?.info().title()).toBe("chirp auth events");
    expect(
      document
        ?.operations()
        .all()
        .map((op) => [op.id(), op.action(), op.channels().all()[0]?.address()]),
    ).toEqual([
      ["send-user-events", "send", "user-events"],
      ["send-session-events", "send", "session-events"],
    ]);
    const registered = raw.components.messages["user.registered.v1"] as {
      payload: { required: string[]; properties: { data: { required: string[] } } };
      bindings: { kafka: { key: { description: string } } };
    };
    expect(registered.payload.required).toEqual(["id", "type", "version", "occurredAt", "source", "data"]);
    expect(registered.payload.properties.data.required).toEqual(["userId", "name", "email"]);
    expect(registered.bindings.kafka.key.description).toBe("The user id.");
  });

  test("is checked for real: the parser refuses a document with a dangling message reference", async () => {
    const raw = asyncApiDocument({ topics: [PostEvents] });
    delete raw.components.messages["post.deleted.v1"];
    const { document, diagnostics } = await parser.parse(JSON.stringify(raw));
    expect(document).toBeUndefined();
    expect(errorsAndWarnings(diagnostics).join("\n")).toContain("post.deleted.v1");
  });

  test("lists one message per event type and version of a topic", () => {
    const channel = asyncApiDocument({ topics: [PostEvents] }).channels["post-events"] as { messages: object };
    expect(Object.keys(channel.messages)).toEqual(["post.created.v1", "post.updated.v1", "post.deleted.v1"]);
  });
});
