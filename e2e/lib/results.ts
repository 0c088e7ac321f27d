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
  /** Hostile scenarios: each attack tried, with its request and the answer it got (all held, or no line). */
  attacks?: Attack[];
}

export interface Attack {
  attack: string;
  /** Method and path, with what makes it an attack when the path alone does not say. */
  request: string;
  /** Status and problem title (or tally of statuses for a repeated attack). */
  answer: string;
  /** How many requests it took, when repeated (default 1). */
  count?: number;
}

/** An attack made of one request: its answer is the status and the problem's detail or title. */
export function attackOf(attack: string, reply: { request: string; status: number; body: unknown }): Attack {
  const body = (reply.body ?? {}) as { detail?: unknown; title?: unknown };
  const why = typeof body.detail === "string" ? body.detail : typeof body.title === "string" ? body.title : "";
  return { attack, request: reply.request, answer: `${reply.status}${why ? ` ${why}` : ""}` };
}

export const resultsFile =
  process.env.E2E_RESULTS ?? new URL("../../.cache/e2e/results.jsonl", import.meta.url).pathname;

export function recordResult(result: ScenarioResult) {
  mkdirSync(dirname(resultsFile), { recursive: true });
  const line = { ...result, pass: true, at: new Date().toISOString() };
  appendFileSync(resultsFile, `${JSON.stringify(line)}\n`);
  console.log(`[e2e] ${result.id}: ${JSON.stringify(result.figures)}`);
}

/** An attack repeated many times: its answer counts the replies by status, e.g. "401 x45, 429 x955". */
export function repeatedAttack(attack: string, request: string, replies: { status: number }[]): Attack {
  const byStatus = new Map<number, number>();
  for (const { status } of replies) byStatus.set(status, (byStatus.get(status) ?? 0) + 1);
  const answer = [...byStatus].sort(([a], [b]) => a - b).map(([status, n]) => `${status} x${n}`);
  return { attack, request, answer: answer.join(", "), count: replies.length };
}
