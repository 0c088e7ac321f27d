import { describe, expect, test } from "bun:test";
import { z } from "zod";
import { checkContracts, planSnapshots } from "./contract-gate.ts";
import { defineEvent } from "./envelope.ts";
import { Id } from "./ids.ts";
import { Topics } from "./index.ts";
import { eventJsonSchema, eventJsonSchemas } from "./json-schema.ts";

const committed = eventJsonSchemas(Topics);
const withRegistered = (data: z.ZodType, version = 1) => ({
  ...committed,
  [`user.registered.v${version}`]: eventJsonSchema(defineEvent("user.registered", version, data)),
});
const registeredFields = { userId: Id, name: z.string().min(1).max(100), email: z.email() };

describe("checkContracts", () => {
  test("passes when the schemas match their snapshots", () => {
    expect(checkContracts(committed, committed)).toEqual([]);
  });

  test("passes an additive change within a version", () => {
    const current = withRegistered(z.object({ ...registeredFields, locale: z.string().optional() }));
    expect(checkContracts(current, committed)).toEqual([]);
  });

  test("fails a breaking change, naming the event, the field, the rule and the way out", () => {
    const { name: _dropped, ...rest } = registeredFields;
    const problems = checkContracts(withRegistered(z.object(rest)), committed);
    expect(problems.map(({ event, kind }) => ({ event, kind }))).toEqual([
      { event: "user.registered.v1", kind: "breaking-change" },
    ]);
    expect(problems[0]?.message).toBe(
      [
        "user.registered v1 changed incompatibly:",
        "  - data.name: field-removed: the field was removed or renamed; consumers that read it break",
        "  A version's shape is fixed once published. Publish a new version instead: declare " +
          'defineEvent("user.registered", 2, ...) beside v1, let producers emit both until every consumer reads v2, ' +
          "then run bun run contracts:snapshot (see contracts/README.md).",
      ].join("\n"),
    );
  });

  test("fails a new event version that has no snapshot", () => {
    const current = withRegistered(z.object({ userId: Id, firstName: z.string(), lastName: z.string() }), 2);
    expect(checkContracts(current, committed)).toEqual([
      {
        event: "user.registered.v2",
        kind: "missing-snapshot",
        message:
          "user.registered.v2 has no snapshot (contracts/schemas/user.registered.v2.json): " +
          "run bun run contracts:snapshot and commit it.",
      },
    ]);
  });

  test("fails a published version whose definition is gone", () => {
    const { "user.deleted.v1": _gone, ...current } = committed;
    expect(checkContracts(current, committed).map(({ event, kind }) => ({ event, kind }))).toEqual([
      { event: "user.deleted.v1", kind: "removed-version" },
    ]);
  });
});

describe("planSnapshots", () => {
  test("writes new versions and compatible changes, leaves unchanged ones alone", () => {
    const additive = withRegistered(z.object({ ...registeredFields, locale: z.string().optional() }));
    const current = {
      ...additive,
      "user.registered.v2": eventJsonSchema(defineEvent("user.registered", 2, z.object({}))),
    };
    expect(planSnapshots(current, committed)).toEqual({
      write: ["user.registered.v1", "user.registered.v2"],
      refused: [],
    });
  });

  test("refuses to overwrite a snapshot with a breaking change", () => {
    const current = withRegistered(z.object({ ...registeredFields, email: z.email().max(50) }));
    const plan = planSnapshots(current, committed);
    expect(plan.write).toEqual([]);
    expect(plan.refused.map((problem) => problem.changes)).toEqual([
      [{ path: "data.email", rule: "limit-tightened", detail: "maxLength none became 50" }],
    ]);
  });
});
