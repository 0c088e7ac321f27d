/**
 * Where the suites leave their figures: one JSON line per passed scenario, appended to the results file
 * that `scripts/e2e` turns into docs/resilience.md. A test records only after its checks passed, so a
 * scenario without a line did not pass.
 */
import { appendFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";

export interface ScenarioResult {
  /** Stable id, e.g. "fault.kafka-outage". */
  id: string;
  scenario: string;
  checked: string;
  figures: Record<string, number | string>;
}

export const resultsFile =
  process.env.E2E_RESULTS ?? new URL("../../.cache/e2e/results.jsonl", import.meta.url).pathname;

export function recordResult(result: ScenarioResult) {
  mkdirSync(dirname(resultsFile), { recursive: true });
  const line = { ...result, pass: true, at: new Date().toISOString() };
  appendFileSync(resultsFile, `${JSON.stringify(line)}\n`);
  console.log(`[e2e] ${result.id}: ${JSON.stringify(result.figures)}`);
}
