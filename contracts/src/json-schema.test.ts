import { describe, expect, test } from "bun:test";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import { createEvent } from "./envelope.ts";
import { Topics } from "./index.ts";
import { eventJsonSchemas, snapshotName } from "./json-schema.ts";
import { PostCreated } from "./post-events.ts";
import { SessionRevoked } from "./session-events.ts";
import { UserRegistered } from "./user-events.ts";

const ajv = addFormats(new Ajv2020({ strict: true, allErrors: true }));
const schemas = eventJsonSchemas(Topics);
const validator = (name: string) => ajv.compile(schemas[name] ?? {});
const origin = { source: "auth", correlationId: "req-1" } as const;

describe("eventJsonSchemas", () => {
  test("names one schema per event type and version", () => {
    expect(Object.keys(schemas)).toHaveLength(Topics.reduce((count, topic) => count + topic.events.length, 0));
    expect(snapshotName(UserRegistered)).toBe("user.registered.v1");
  });

  test("compile in a strict 2020-12 validator and accept the events createEvent builds", () => {
    const events = [
      createEvent(UserRegistered, { userId: "u1", name: "Ada", email: "ada@example.com" }, origin),
      createEvent(PostCreated, { postId: "p1", authorId: "u1", title: "Hello" }, { source: "post" }),
      createEvent(SessionRevoked, { userId: "u1", all: true }, origin),
    ];
    for (const event of events) {
      const validate = validator(`${event.type}.v${event.version}`);
      expect({ type: event.type, valid: validate(event), errors: validate.errors ?? null }).toEqual({
        type: event.type,
        valid: true,
        errors: null,
      });
    }
  });

  test("refuse what parseEvent refuses: bad formats, missing fields, the other version", () => {
    const event = createEvent(UserRegistered, { userId: "u1", name: "Ada", email: "ada@example.com" }, origin);
    const validate = validator("user.registered.v1");
    expect(validate({ ...event, data: { ...event.data, email: "nope" } })).toBe(false);
    expect(validate({ ...event, data: { userId: "u1", name: "Ada" } })).toBe(false);
    expect(validate({ ...event, version: 2 })).toBe(false);
    expect(validate({ ...event, occurredAt: "yesterday" })).toBe(false);
  });

  test("allow unknown fields, as consumers do, so an optional field can be added later", () => {
    const event = createEvent(UserRegistered, { userId: "u1", name: "Ada", email: "ada@example.com" }, origin);
    expect(validator("user.registered.v1")({ ...event, data: { ...event.data, locale: "en" } })).toBe(true);
  });
});
