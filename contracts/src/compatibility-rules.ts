/** The leaf rules of `breakingChanges`: types, literals and enums, and numeric or length limits. */

import type { BreakingRule } from "./compatibility.ts";
import type { JsonSchema } from "./json-schema.ts";

/** Records one breaking change at the current path (or at `at`). */
export type Add = (rule: BreakingRule, detail: string, at?: string) => void;

const lowerBounds = ["minLength", "minimum", "exclusiveMinimum", "minItems", "minProperties"];
const upperBounds = ["maxLength", "maximum", "exclusiveMaximum", "maxItems", "maxProperties"];
export const limitKeywords = [...lowerBounds, ...upperBounds];

export function compareTypes(a: JsonSchema, b: JsonSchema, add: Add) {
  const oldTypes = typesOf(a);
  const newTypes = typesOf(b);
  if (same(oldTypes, newTypes)) return;
  const covers = (set: string[] | undefined, type: string) =>
    !set || set.includes(type) || (type === "integer" && set.includes("number"));
  const lost = oldTypes ? oldTypes.filter((type) => !covers(newTypes, type)) : ["any"];
  const gained = newTypes ? newTypes.filter((type) => !covers(oldTypes, type)) : ["any"];
  const change = `type ${show(oldTypes ?? "any")} became ${show(newTypes ?? "any")}`;
  if (lost.length > 0 && newTypes) add("type-narrowed", change);
  if (gained.length > 0 && oldTypes) add("type-widened", change);
}

export function compareLiterals(a: JsonSchema, b: JsonSchema, add: Add) {
  if ("const" in a || "const" in b) {
    if (!("const" in a)) add("type-narrowed", `pinned to the literal ${show(b.const)}`);
    else if (!("const" in b)) add("type-widened", `no longer the literal ${show(a.const)}`);
    else if (!same(a.const, b.const)) add("literal-changed", `literal ${show(a.const)} became ${show(b.const)}`);
  }
  const oldValues = a.enum as unknown[] | undefined;
  const newValues = b.enum as unknown[] | undefined;
  if (!oldValues && !newValues) return;
  if (!oldValues) return add("enum-narrowed", `restricted to ${show(newValues)}`);
  if (!newValues) return add("enum-widened", `no longer restricted to ${show(oldValues)}`);
  const removed = oldValues.filter((value) => !newValues.some((other) => same(value, other)));
  const added = newValues.filter((value) => !oldValues.some((other) => same(value, other)));
  if (removed.length > 0) add("enum-narrowed", `values removed: ${show(removed)}`);
  if (added.length > 0) add("enum-widened", `values added: ${show(added)}; old consumers reject them`);
}

export function compareBounds(a: JsonSchema, b: JsonSchema, add: Add) {
  const check = (keyword: string, tighter: (x: number, y: number) => boolean) => {
    const x = a[keyword] as number | undefined;
    const y = b[keyword] as number | undefined;
    if (x === y) return;
    const change = `${keyword} ${x ?? "none"} became ${y ?? "none"}`;
    if (x === undefined || (y !== undefined && tighter(x, y))) add("limit-tightened", change);
    else add("limit-relaxed", `${change}; old consumers reject the new values`);
  };
  for (const keyword of lowerBounds) check(keyword, (x, y) => y > x);
  for (const keyword of upperBounds) check(keyword, (x, y) => y < x);
}

export const isSchema = (value: unknown): value is JsonSchema =>
  typeof value === "object" && value !== null && !Array.isArray(value);
export const same = (x: unknown, y: unknown) => JSON.stringify(x) === JSON.stringify(y);
export const show = (value: unknown) => JSON.stringify(value);

function typesOf(node: JsonSchema): string[] | undefined {
  if (node.type === undefined) return undefined;
  return (Array.isArray(node.type) ? [...node.type] : [node.type]).map(String).sort();
}
