import { describe, expect, test } from "bun:test";
import {
  createEvent,
  PostEvents,
  parseEvent,
  SessionEvents,
  SessionRevoked,
  UserEvents,
  UserRegistered,
} from "./index.ts";

const origin = { source: "auth", correlationId: "req-1" } as const;
const now = new Date("2026-11-22T10:00:00.000Z");

describe("createEvent", () => {
  test("builds a complete envelope around valid data", () => {
    const event = createEvent(UserRegistered, { userId: "u1", name: "Ada", email: "ada@example.com" }, origin, now);
    expect(event).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      type: "user.registered",
      version: 1,
      occurredAt: "2026-11-22T10:00:00.000Z",
      source: "auth",
      correlationId: "req-1",
      data: { userId: "u1", name: "Ada", email: "ada@example.com" },
    });
  });

  test("refuses invalid data, so it never reaches a topic", () => {
    expect(() => createEvent(UserRegistered, { userId: "u1", name: "", email: "nope" }, origin)).toThrow();
  });

  test("gives every event its own id", () => {
    const data = { userId: "u1", sessionId: "s1" };
    expect(createEvent(SessionRevoked, data, origin).id).not.toBe(createEvent(SessionRevoked, data, origin).id);
  });
});

describe("parseEvent", () => {
  const valid = createEvent(UserRegistered, { userId: "u1", name: "Ada", email: "ada@example.com" }, origin, now);

  test("reads a valid event from JSON text, bytes and objects", () => {
    const text = JSON.stringify(valid);
    for (const raw of [text, new TextEncoder().encode(text), valid]) {
      expect(parseEvent(UserEvents, raw)).toEqual({ ok: true, event: valid });
    }
  });

  test("reports text that is not JSON as malformed", () => {
    expect(parseEvent(UserEvents, "{oops")).toMatchObject({ ok: false, reason: "malformed" });
    expect(parseEvent(UserEvents, new Uint8Array([0xff, 0xfe]))).toMatchObject({ ok: false, reason: "malformed" });
  });

  test("reports JSON without an envelope as malformed", () => {
    expect(parseEvent(UserEvents, { hello: "world" })).toMatchObject({ ok: false, reason: "malformed" });
  });

  test("reports an event type that the topic does not carry", () => {
    const result = parseEvent(PostEvents, valid);
    expect(result).toMatchObject({ ok: false, reason: "unknown-type" });
  });

  test("reports a future version it does not know, naming the known ones", () => {
    const result = parseEvent(UserEvents, { ...valid, version: 2 });
    expect(result).toEqual({
      ok: false,
      reason: "unknown-version",
      message: "user.registered version 2 is not known here (known: 1)",
    });
  });

  test("reports invalid fields with their paths", () => {
    const result = parseEvent(UserEvents, { ...valid, data: { ...valid.data, email: "not-an-email" } });
    expect(result.ok).toBe(false);
    if (result.ok || result.reason !== "invalid") throw new Error(`expected invalid, got ${JSON.stringify(result)}`);
    expect(result.issues.map((issue) => issue.path.join("."))).toEqual(["data.email"]);
  });

  test("accepts both shapes of session.revoked and nothing in between", () => {
    const one = createEvent(SessionRevoked, { userId: "u1", sessionId: "s1" }, origin);
    const all = createEvent(SessionRevoked, { userId: "u1", all: true }, origin);
    expect(parseEvent(SessionEvents, one).ok).toBe(true);
    expect(parseEvent(SessionEvents, all).ok).toBe(true);
    expect(parseEvent(SessionEvents, { ...one, data: { userId: "u1" } }).ok).toBe(false);
    expect(parseEvent(SessionEvents, { ...one, data: { userId: "u1", all: false } }).ok).toBe(false);
  });
});

describe("topic keys", () => {
  test("key each entity's events by its id, so their order is kept", () => {
    const registered = createEvent(UserRegistered, { userId: "u1", name: "A", email: "a@example.com" }, origin);
    expect(UserEvents.key(registered)).toBe("u1");
    const failed = parseEvent(SessionEvents, {
      ...registered,
      type: "user.login_failed",
      data: { email: "x@example.com", reason: "unknown_email" },
    });
    if (!failed.ok) throw new Error(failed.message);
    expect(SessionEvents.key(failed.event)).toBe("x@example.com");
  });
});
