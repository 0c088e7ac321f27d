/**
 * Turns the results file of an e2e run into the Markdown table of docs/resilience.md: one row per expected
 * scenario, "FAIL" where the run left no line for it (a test records only after its checks passed).
 * Usage: bun e2e/report.ts [results.jsonl]  -> the table on stdout.
 */
import { existsSync, readFileSync } from "node:fs";
import { resultsFile, type ScenarioResult } from "./lib/results.ts";

const expected: [string, string][] = [
  ["fault.kafka-outage", "Kafka stopped under registrations and posting"],
  ["fault.sigkill-consumer", "post killed (SIGKILL) mid-burst, restarted"],
  ["fault.replayed-offsets", "every message delivered twice"],
  ["fault.poison", "poison message on each consumed topic"],
  ["fault.refused-value", "an event PostgreSQL refuses (NUL byte), already in Kafka"],
  ["fault.postgres-restart", "PostgreSQL restarted under load"],
  ["fault.mongodb-restart", "FerretDB restarted under load"],
  ["fault.sigterm-drain", "SIGTERM under load"],
  ["hostile.malformed-input", "malformed and malicious bodies, headers, paging"],
  ["hostile.tokens-idor", "JWT attacks and IDOR"],
  ["hostile.brute-force", "1,000 wrong passwords from several addresses"],
  ["hostile.flood-one-address", "one address flooding logins and sign-ups"],
  ["hostile.revocation-exact", "log in right after log out everywhere"],
  ["hostile.erasure", "every store of both services after account deletion"],
  ["admin.ban", "an admin bans a user, then lifts the ban"],
  ["admin.unlock", "a throttled account: lockout notice, admin unlock"],
];

const file = process.argv[2] ?? resultsFile;
const lines = existsSync(file) ? readFileSync(file, "utf8").split("\n").filter(Boolean) : [];
const results = new Map(lines.map((line) => JSON.parse(line) as ScenarioResult).map((r) => [r.id, r]));
const cell = (text: string) => text.replaceAll("|", "\\|").replaceAll("\n", " ");
const figures = (r: ScenarioResult) =>
  Object.entries(r.figures)
    .map(([k, v]) => `${k}: ${v}`)
    .join("; ");

const rows = expected.map(([id, name]) => {
  const r = results.get(id);
  return r
    ? `| ${cell(r.scenario)} | ${cell(r.checked)} | ${cell(figures(r))} | pass |`
    : `| ${cell(name)} | (see its test) | no result recorded | **FAIL / not run** |`;
});
console.log(["| scenario | what was checked | figures | pass |", "|---|---|---|---|", ...rows].join("\n"));
