import {
  type Add,
  compareBounds,
  compareLiterals,
  compareTypes,
  isSchema,
  limitKeywords,
  same,
  show,
} from "./compatibility-rules.ts";
import type { JsonSchema } from "./json-schema.ts";

/**
 * The rules a change within one event version may break. Our consumers validate every message strictly
 * (`parseEvent`) and dead-letter what fails, and topics keep old messages for replay, so a version's set of
 * valid messages may neither shrink (new consumers would reject retained messages) nor grow (old consumers
 * would reject new ones). The one growth that is safe is a new optional field: consumers drop unknown fields.
 *
 * Widening an enum is therefore breaking: an old consumer's `z.enum` rejects the new value. A field meant to
 * stay open is declared `z.string()` (known values in `.meta({ examples })`); it has no enum to widen.
 */
export type BreakingRule =
  | "field-removed"
  | "field-required"
  | "field-made-optional"
  | "required-field-added"
  | "field-added-to-closed-object"
  | "object-closed"
  | "type-narrowed"
  | "type-widened"
  | "literal-changed"
  | "enum-narrowed"
  | "enum-widened"
  | "limit-tightened"
  | "limit-relaxed"
  | "pattern-changed"
  | "format-changed"
  | "variant-removed"
  | "variant-added"
  | "keyword-changed";

/** One incompatible difference: where (a dotted field path, "" for the root), which rule, and what changed. */
export interface BreakingChange {
  path: string;
  rule: BreakingRule;
  detail: string;
}

// Documentation only: changing these never changes which messages are valid.
const annotations = new Set(["$schema", "$id", "$comment", "title", "description", "examples", "default"]);
const handled = new Set([
  ...["type", "properties", "required", "additionalProperties", "enum", "const", "anyOf", "oneOf"],
  ...["items", "pattern", "format", "$ref", "$defs", "definitions"],
]);

/** Lists what makes `after` incompatible with `before` (empty when the change is backward compatible). */
export function breakingChanges(before: JsonSchema, after: JsonSchema): BreakingChange[] {
  const found: BreakingChange[] = [];
  const deref = (root: JsonSchema) => (node: JsonSchema) => resolve(root, node);
  compare(deref(before), deref(after), before, after, "", found, new Set());
  return found;
}

type Deref = (node: JsonSchema) => JsonSchema;

function compare(
  oldRef: Deref,
  newRef: Deref,
  rawOld: JsonSchema,
  rawNew: JsonSchema,
  path: string,
  out: BreakingChange[],
  seen: Set<string>,
) {
  // Recursive schemas ($ref cycles) are compared once per pair of references.
  const pair = `${String(rawOld.$ref)}|${String(rawNew.$ref)}|${path}`;
  if (rawOld.$ref || rawNew.$ref) {
    if (seen.has(pair)) return;
    seen.add(pair);
  }
  const a = oldRef(rawOld);
  const b = newRef(rawNew);
  const add = (rule: BreakingRule, detail: string, at = path) => out.push({ path: at, rule, detail });
  const child = (x: JsonSchema, y: JsonSchema, at: string) => compare(oldRef, newRef, x, y, at, out, seen);

  if (a.anyOf || b.anyOf || a.oneOf || b.oneOf) {
    return compareVariants(variantsOf(a), variantsOf(b), path, add, (x, y, at) => {
      const scratch: BreakingChange[] = [];
      compare(oldRef, newRef, x, y, at, scratch, new Set(seen));
      return scratch;
    });
  }
  compareTypes(a, b, add);
  compareLiterals(a, b, add);
  compareBounds(a, b, add);
  if (a.pattern !== b.pattern) add("pattern-changed", `pattern ${show(a.pattern)} became ${show(b.pattern)}`);
  if (a.format !== b.format) add("format-changed", `format ${show(a.format)} became ${show(b.format)}`);
  if (isSchema(a.items) && isSchema(b.items)) child(a.items, b.items, `${path}[]`);
  else if (!same(a.items, b.items)) add("keyword-changed", "the item schema changed");
  compareObjects(a, b, path, add, child);
  for (const keyword of new Set([...Object.keys(a), ...Object.keys(b)])) {
    if (annotations.has(keyword) || handled.has(keyword) || keyword.startsWith("x-")) continue;
    if (limitKeywords.includes(keyword)) continue;
    if (!same(a[keyword], b[keyword])) add("keyword-changed", `"${keyword}" changed`);
  }
}

function compareObjects(
  a: JsonSchema,
  b: JsonSchema,
  path: string,
  add: Add,
  child: (x: JsonSchema, y: JsonSchema, at: string) => void,
) {
  const oldProps = (a.properties ?? {}) as Record<string, JsonSchema>;
  const newProps = (b.properties ?? {}) as Record<string, JsonSchema>;
  const oldRequired = new Set((a.required ?? []) as string[]);
  const newRequired = new Set((b.required ?? []) as string[]);
  const at = (key: string) => (path ? `${path}.${key}` : key);
  for (const [key, schema] of Object.entries(oldProps)) {
    const next = newProps[key];
    if (!next) {
      add("field-removed", "the field was removed or renamed; consumers that read it break", at(key));
      continue;
    }
    if (!oldRequired.has(key) && newRequired.has(key)) {
      add("field-required", "an optional field became required; retained messages without it fail", at(key));
    }
    if (oldRequired.has(key) && !newRequired.has(key)) {
      add("field-made-optional", "a required field became optional; old consumers expect it", at(key));
    }
    child(schema, next, at(key));
  }
  for (const key of Object.keys(newProps)) {
    if (oldProps[key]) continue;
    if (newRequired.has(key)) {
      add("required-field-added", "a required field was added; retained messages lack it", at(key));
    } else if (a.additionalProperties === false) {
      add("field-added-to-closed-object", "a field was added where unknown fields are rejected", at(key));
    }
  }
  if (a.additionalProperties !== false && b.additionalProperties === false) {
    add("object-closed", "the object now rejects unknown fields");
  } else if (isSchema(a.additionalProperties) && isSchema(b.additionalProperties)) {
    child(a.additionalProperties, b.additionalProperties, `${path}{}`);
  }
}

type Diff = (x: JsonSchema, y: JsonSchema, at: string) => BreakingChange[];

/** Matches each old variant of a union with an unchanged new one; what is left over was removed or added. */
function compareVariants(olds: JsonSchema[], news: JsonSchema[], path: string, add: Add, diff: Diff) {
  const used = new Set<number>();
  const label = (i: number) => `${path}${path ? "." : ""}anyOf[${i}]`;
  for (const [i, variant] of olds.entries()) {
    const twin = news.findIndex((other, j) => !used.has(j) && diff(variant, other, label(i)).length === 0);
    if (twin >= 0) {
      used.add(twin);
      continue;
    }
    const counterpart = news[i];
    if (counterpart && !used.has(i)) {
      used.add(i);
      for (const change of diff(variant, counterpart, label(i))) add(change.rule, change.detail, change.path);
    } else add("variant-removed", "a variant of the union was removed", label(i));
  }
  for (const j of news.keys()) {
    if (!used.has(j)) add("variant-added", "a variant was added to the union; old consumers reject it", label(j));
  }
}

function variantsOf(node: JsonSchema): JsonSchema[] {
  const list = (node.anyOf ?? node.oneOf) as JsonSchema[] | undefined;
  if (!list) return [node];
  const { anyOf: _a, oneOf: _o, ...rest } = node;
  // Keywords beside the union apply to every variant.
  return list.map((variant) => ({ ...rest, ...variant }));
}

function resolve(root: JsonSchema, node: JsonSchema): JsonSchema {
  const ref = node.$ref;
  if (typeof ref !== "string" || !ref.startsWith("#/")) return node;
  let target: unknown = root;
  for (const part of ref.slice(2).split("/")) target = (target as JsonSchema | undefined)?.[part];
  if (!isSchema(target)) throw new Error(`unresolvable $ref ${ref}`);
  const { $ref: _ref, ...rest } = node;
  return { ...target, ...rest };
}
