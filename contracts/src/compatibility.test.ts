import { describe, expect, test } from "bun:test";
import { z } from "zod";
import { breakingChanges } from "./compatibility.ts";
import { defineEvent } from "./envelope.ts";
import { Id } from "./ids.ts";
import { Topics } from "./index.ts";
import { eventJsonSchema } from "./json-schema.ts";
import { PostCreated } from "./post-events.ts";
import { SessionRevoked, UserLoginFailed } from "./session-events.ts";
import { UserRegistered } from "./user-events.ts";

// Changed schemas are built here from zod, as a developer would write them; the real contracts stay untouched.
const registeredWith = (data: z.ZodType) => eventJsonSchema(defineEvent("user.registered", 1, data));
const registered = eventJsonSchema(UserRegistered);
const name = z.string().min(1).max(100);
const rules = (changes: ReturnType<typeof breakingChanges>) => changes.map(({ path, rule }) => ({ path, rule }));

describe("breakingChanges passes", () => {
  test("every real event compared with itself", () => {
    for (const topic of Topics) {
      for (const event of topic.events)
        expect(breakingChanges(eventJsonSchema(event), eventJsonSchema(event))).toEqual([]);
    }
  });

  test("an optional field added", () => {
    const after = registeredWith(z.object({ userId: Id, name, email: z.email(), avatarUrl: z.url().optional() }));
    expect(breakingChanges(registered, after)).toEqual([]);
  });

  test("documentation that changed (descriptions, examples)", () => {
    const documented = name.meta({ description: "Display name", examples: ["Ada"] });
    expect(
      breakingChanges(registered, registeredWith(z.object({ userId: Id, name: documented, email: z.email() }))),
    ).toEqual([]);
  });

  test("the same schema written inline or through $refs", () => {
    const inline = z.toJSONSchema(UserRegistered.schema, { io: "input" }) as Record<string, unknown>;
    const registry = z.registry<{ id: string }>();
    registry.add(Id, { id: "Id" });
    const withRefs = z.toJSONSchema(UserRegistered.schema, { io: "input", metadata: registry }) as Record<
      string,
      unknown
    >;
    expect(JSON.stringify(withRefs)).toContain("$ref");
    expect(breakingChanges(inline, withRefs)).toEqual([]);
  });
});

describe("breakingChanges fails, naming the field and the rule", () => {
  test("a field removed", () => {
    const after = registeredWith(z.object({ userId: Id, name }));
    expect(rules(breakingChanges(registered, after))).toEqual([{ path: "data.email", rule: "field-removed" }]);
  });

  test("a field renamed", () => {
    const after = registeredWith(z.object({ userId: Id, displayName: name, email: z.email() }));
    expect(rules(breakingChanges(registered, after))).toEqual([
      { path: "data.name", rule: "field-removed" },
      { path: "data.displayName", rule: "required-field-added" },
    ]);
  });

  test("an optional field made required, and a required one made optional", () => {
    const { reason } = UserLoginFailed.data.shape;
    const before = eventJsonSchema(UserLoginFailed);
    const after = eventJsonSchema(
      defineEvent(
        "user.login_failed",
        1,
        z.object({ userId: Id.optional(), email: z.string().max(320), reason: reason.optional() }),
      ),
    );
    expect(rules(breakingChanges(before, after))).toEqual([
      { path: "data.email", rule: "field-required" },
      { path: "data.reason", rule: "field-made-optional" },
    ]);
  });

  test("a string narrowed to a literal", () => {
    const after = registeredWith(z.object({ userId: Id, name: z.literal("Ada"), email: z.email() }));
    expect(breakingChanges(registered, after)).toContainEqual({
      path: "data.name",
      rule: "type-narrowed",
      detail: 'pinned to the literal "Ada"',
    });
  });

  test("a string max shortened, and a max lengthened", () => {
    const before = eventJsonSchema(PostCreated);
    const facts = (max: number) => z.object({ postId: Id, authorId: Id, title: z.string().min(1).max(max) });
    const shorter = eventJsonSchema(defineEvent("post.created", 1, facts(100)));
    const longer = eventJsonSchema(defineEvent("post.created", 1, facts(300)));
    expect(breakingChanges(before, shorter)).toEqual([
      { path: "data.title", rule: "limit-tightened", detail: "maxLength 200 became 100" },
    ]);
    expect(rules(breakingChanges(before, longer))).toEqual([{ path: "data.title", rule: "limit-relaxed" }]);
  });

  test("a number range tightened, and a number narrowed to an integer", () => {
    const scored = (score: z.ZodType) => eventJsonSchema(defineEvent("post.scored", 1, z.object({ score })));
    const before = scored(z.number().min(0).max(10));
    expect(rules(breakingChanges(before, scored(z.number().min(1).max(10))))).toEqual([
      { path: "data.score", rule: "limit-tightened" },
    ]);
    expect(rules(breakingChanges(before, scored(z.number().int().min(0).max(10))))).toEqual([
      { path: "data.score", rule: "type-narrowed" },
    ]);
  });

  test("a type changed", () => {
    const after = registeredWith(z.object({ userId: z.number(), name, email: z.email() }));
    expect(rules(breakingChanges(registered, after))).toContainEqual({ path: "data.userId", rule: "type-narrowed" });
  });

  test("an enum narrowed or widened (widening breaks consumers that validate the old values)", () => {
    const before = eventJsonSchema(UserLoginFailed);
    const withReasons = (...reasons: [string, ...string[]]) =>
      eventJsonSchema(defineEvent("user.login_failed", 1, UserLoginFailed.data.extend({ reason: z.enum(reasons) })));
    expect(breakingChanges(before, withReasons("unknown_email", "wrong_password"))).toEqual([
      { path: "data.reason", rule: "enum-narrowed", detail: 'values removed: ["throttled"]' },
    ]);
    expect(
      rules(breakingChanges(before, withReasons("unknown_email", "wrong_password", "throttled", "locked"))),
    ).toEqual([{ path: "data.reason", rule: "enum-widened" }]);
  });

  test("a pattern or format changed", () => {
    const after = registeredWith(
      z.object({
        userId: z
          .string()
          .min(1)
          .max(64)
          .regex(/^[a-z]+$/),
        name,
        email: z.string(),
      }),
    );
    expect(rules(breakingChanges(registered, after))).toEqual([
      { path: "data.userId", rule: "pattern-changed" },
      { path: "data.email", rule: "pattern-changed" },
      { path: "data.email", rule: "format-changed" },
    ]);
  });

  test("a union variant removed, and a field added to a closed variant", () => {
    const before = eventJsonSchema(SessionRevoked);
    const oneOnly = eventJsonSchema(
      defineEvent("session.revoked", 1, z.object({ userId: Id, sessionId: Id }).strict()),
    );
    expect(rules(breakingChanges(before, oneOnly))).toEqual([{ path: "data.anyOf[1]", rule: "variant-removed" }]);
    const extended = eventJsonSchema(
      defineEvent(
        "session.revoked",
        1,
        z.union([
          z.object({ userId: Id, sessionId: Id, reason: z.string().optional() }).strict(),
          z.object({ userId: Id, all: z.literal(true) }).strict(),
        ]),
      ),
    );
    expect(rules(breakingChanges(before, extended))).toEqual([
      { path: "data.anyOf[0].reason", rule: "field-added-to-closed-object" },
    ]);
  });

  test("an object closed to unknown fields", () => {
    const after = registeredWith(z.object({ userId: Id, name, email: z.email() }).strict());
    expect(rules(breakingChanges(registered, after))).toEqual([{ path: "data", rule: "object-closed" }]);
  });

  test("a field made nullable (a union variant added)", () => {
    const after = registeredWith(z.object({ userId: Id, name: name.nullable(), email: z.email() }));
    expect(rules(breakingChanges(registered, after))).toEqual([{ path: "data.name.anyOf[1]", rule: "variant-added" }]);
  });
});
