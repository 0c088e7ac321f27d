/**
 * Turns the results file of an e2e run (and of `scripts/fuzz`) into the Markdown tables of the docs: one row
 * per expected scenario, "FAIL" where the run left no line for it (a test records only after its checks
 * passed).
 *   bun e2e/report.ts [results.jsonl]           -> the resilience table on stdout
 *   bun e2e/report.ts --hostile [results.jsonl] -> the hostile table (attacks tried / held, each request and
 *                                                  answer) on stdout
 *   bun e2e/report.ts --write-docs [results.jsonl] -> both written between the marker lines of
 *                                                  docs/resilience.md and docs/security.md
 *   bun e2e/report.ts --write-hostile [results.jsonl] -> only the hostile table, into docs/security.md
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { resultsFile, type ScenarioResult } from "./lib/results.ts";

const scenarios: [string, string][] = [
  ["fault.kafka-outage", "Kafka stopped under registrations and posting"],
  ["fault.sigkill-consumer", "post killed (SIGKILL) mid-burst, restarted"],
  ["fault.replayed-offsets", "every message delivered twice"],
  ["fault.poison", "poison message on each consumed topic"],
  ["fault.refused-value", "an event PostgreSQL refuses (NUL byte), already in Kafka"],
  ["fault.postgres-restart", "PostgreSQL restarted under load"],
  ["fault.mongodb-restart", "FerretDB restarted under load"],
  ["fault.sigterm-drain", "SIGTERM under load"],
  ["accounts.mfa", "TOTP MFA: enroll, two-step login, replayed and recovery codes"],
  ["admin.ban", "an admin bans a user, then lifts the ban"],
  ["admin.unlock", "a throttled account: lockout notice, admin unlock"],
];
const hostile: [string, string][] = [
  ["hostile.malformed-input", "malformed and malicious bodies, headers, paging"],
  ["hostile.tokens-idor", "JWT attacks and IDOR"],
  ["hostile.brute-force", "1,000 wrong passwords from several addresses"],
  ["hostile.flood-one-address", "one address flooding logins and sign-ups"],
  ["hostile.revocation-exact", "log in right after log out everywhere"],
  ["hostile.erasure", "every store of both services after account deletion"],
  ["fuzz.auth", "schemathesis on auth's OpenAPI document (scripts/fuzz)"],
  ["fuzz.post", "schemathesis on post's OpenAPI document (scripts/fuzz)"],
];

const args = process.argv.slice(2);
const file = args.find((arg) => !arg.startsWith("--")) ?? resultsFile;
const lines = existsSync(file) ? readFileSync(file, "utf8").split("\n").filter(Boolean) : [];
const results = new Map(lines.map((line) => JSON.parse(line) as ScenarioResult).map((r) => [r.id, r]));
const cell = (text: string, max = 400) => {
  const flat = text.replaceAll("|", "\\|").replaceAll("\n", " ");
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
};
const figures = (r: ScenarioResult) =>
  Object.entries(r.figures)
    .map(([k, v]) => `${k}: ${v}`)
    .join("; ");
const missing = (name: string) => `| ${cell(name)} | (see its test) | no result recorded | **FAIL / not run** |`;

function resilienceTable() {
  const rows = [...scenarios, ...hostile].map(([id, name]) => {
    const r = results.get(id);
    return r ? `| ${cell(r.scenario)} | ${cell(r.checked)} | ${cell(figures(r))} | pass |` : missing(name);
  });
  return ["| scenario | what was checked | figures | pass |", "|---|---|---|---|", ...rows].join("\n");
}

/** Attacks tried / held per scenario (a recorded scenario held every attack), then each attack. */
function hostileTable() {
  const tried = (r: ScenarioResult) => (r.attacks ?? []).reduce((sum, a) => sum + (a.count ?? 1), 0);
  const summary = hostile.map(([id, name]) => {
    const r = results.get(id);
    return r
      ? `| ${cell(r.scenario)} | ${tried(r)} | ${tried(r)} | ${cell(figures(r))} |`
      : `| ${cell(name)} | - | - | **FAIL / not run**: no result recorded |`;
  });
  const each = hostile.flatMap(([id]) =>
    (results.get(id)?.attacks ?? []).map(
      (a) => `| ${id} | ${cell(a.attack)} | ${a.count ?? 1} | \`${cell(a.request, 300)}\` | ${cell(a.answer, 200)} |`,
    ),
  );
  const recorded = hostile.map(([id]) => results.get(id)).filter((r) => r !== undefined);
  const total = recorded.reduce((sum, r) => sum + tried(r), 0);
  return [
    `${recorded.length} of ${hostile.length} scenarios recorded; ${total} attacks tried, ${total} held.`,
    "",
    "| scenario | attacks tried | held | figures |",
    "|---|---|---|---|",
    ...summary,
    "",
    "| scenario | attack | times | request | answer |",
    "|---|---|---|---|---|",
    ...each,
  ].join("\n");
}

function writeBetween(path: string, marker: string, table: string) {
  const doc = readFileSync(path, "utf8");
  const start = `<!-- ${marker}:start -->`;
  const end = `<!-- ${marker}:end -->`;
  const [head, rest] = doc.split(start);
  if (rest === undefined || !rest.includes(end)) throw new Error(`${path}: no ${start} ... ${end}`);
  writeFileSync(path, `${head}${start}\n${table}\n${end}${rest.split(end)[1]}`);
}

const docs = new URL("../docs/", import.meta.url).pathname;
if (args.includes("--write-docs")) {
  writeBetween(`${docs}resilience.md`, "results", resilienceTable());
  writeBetween(`${docs}security.md`, "hostile", hostileTable());
} else if (args.includes("--write-hostile")) {
  writeBetween(`${docs}security.md`, "hostile", hostileTable());
} else {
  console.log(args.includes("--hostile") ? hostileTable() : resilienceTable());
}
