import { type BreakingChange, breakingChanges } from "./compatibility.ts";
import type { JsonSchema } from "./json-schema.ts";

/** Where the snapshots live, relative to the repository root. */
export const snapshotDir = "contracts/schemas";

/** JSON Schemas by snapshot name (`user.registered.v1`). */
export type SchemaSet = Record<string, JsonSchema>;

/** One reason the gate refuses the current contracts. */
export interface GateProblem {
  event: string;
  kind: "missing-snapshot" | "breaking-change" | "removed-version";
  message: string;
  changes?: BreakingChange[];
}

const splitName = (name: string) => {
  const match = /^(.+)\.v(\d+)$/.exec(name);
  return { type: match?.[1] ?? name, version: Number(match?.[2] ?? Number.NaN) };
};

/** Explains a breaking change: the event, each field path and rule, and what to do instead. */
export function describeBreak(name: string, changes: readonly BreakingChange[]): string {
  const { type, version } = splitName(name);
  const lines = changes.map((change) => `  - ${change.path || "(envelope)"}: ${change.rule}: ${change.detail}`);
  return [
    `${type} v${version} changed incompatibly:`,
    ...lines,
    `  A version's shape is fixed once published. Publish a new version instead: declare ` +
      `defineEvent("${type}", ${version + 1}, ...) beside v${version}, let producers emit both until every ` +
      `consumer reads v${version + 1}, then run bun run contracts:snapshot (see contracts/README.md).`,
  ].join("\n");
}

/**
 * Compares the current schemas with the committed snapshots. Within a version only backward-compatible
 * changes pass; a version without a snapshot, or a snapshot whose version is gone, fails too.
 */
export function checkContracts(current: SchemaSet, committed: SchemaSet): GateProblem[] {
  const problems: GateProblem[] = [];
  for (const [name, schema] of Object.entries(current)) {
    const snapshot = committed[name];
    if (!snapshot) {
      problems.push({
        event: name,
        kind: "missing-snapshot",
        message: `${name} has no snapshot (${snapshotDir}/${name}.json): run bun run contracts:snapshot and commit it.`,
      });
      continue;
    }
    const changes = breakingChanges(snapshot, schema);
    if (changes.length > 0) {
      problems.push({ event: name, kind: "breaking-change", message: describeBreak(name, changes), changes });
    }
  }
  for (const name of Object.keys(committed)) {
    if (name in current) continue;
    problems.push({
      event: name,
      kind: "removed-version",
      message:
        `${name} has a snapshot but no event definition: removing a published version breaks its consumers. ` +
        `Once none reads it, delete ${snapshotDir}/${name}.json in the same change.`,
    });
  }
  return problems;
}

/** What `contracts:snapshot` may write: new versions and compatible changes; never a breaking change. */
export function planSnapshots(current: SchemaSet, committed: SchemaSet) {
  const write: string[] = [];
  const refused: GateProblem[] = [];
  for (const [name, schema] of Object.entries(current)) {
    const snapshot = committed[name];
    if (snapshot && JSON.stringify(snapshot) === JSON.stringify(schema)) continue;
    const changes = snapshot ? breakingChanges(snapshot, schema) : [];
    if (changes.length > 0) {
      refused.push({ event: name, kind: "breaking-change", message: describeBreak(name, changes), changes });
    } else write.push(name);
  }
  return { write, refused };
}
