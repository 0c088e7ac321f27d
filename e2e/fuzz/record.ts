/**
 * Reads the JSON reports of `scripts/fuzz` (one per schemathesis run) and records each service's figures in
 * the e2e results (`fuzz.auth`, `fuzz.post`) for the tables of e2e/report.ts: operations, test cases,
 * failures by check, running time and the command. A service is recorded only when none of its runs found a
 * failure or stopped early, and every run named has its report (a run killed at its time limit has none);
 * the failures are printed and the exit code is 1 otherwise.
 *   bun e2e/fuzz/record.ts REPORTS_DIR RUN...
 */
import { readdirSync, readFileSync } from "node:fs";
import { type Attack, recordResult } from "../lib/results.ts";

interface Report {
  command: string;
  running_time: number;
  complete: boolean;
  stop_reason: string;
  operations: { selected: number; tested: number; errored: number };
  test_cases: { generated: number; with_failures: number; errored: number };
  failures: { code: string; title: string; count: number; operations: string[] }[];
  errors: unknown[];
  warnings: Record<string, string[]>;
}

const [dir, ...expected] = process.argv.slice(2);
if (!dir) throw new Error("usage: bun e2e/fuzz/record.ts REPORTS_DIR RUN...");
const runs = readdirSync(dir)
  .filter((name) => name.endsWith(".json") && name !== "target.json")
  .map((name) => ({
    name: name.replace(/\.json$/, ""),
    report: JSON.parse(readFileSync(`${dir}/${name}`, "utf8")) as Report,
  }));

/** The command as the report gives it (the token already filtered out), without host, port, checks and reports. */
function shortCommand(service: string, command: string) {
  return command
    .replace(/^st run https?:\/\/[^/]+/, `schemathesis run <${service}>`)
    .replace(/--((?:in|ex)clude-name) (\S+ \S+)/g, '--$1 "$2"')
    .replace(/ --(checks|report|report-junit-path|report-json-path|request-timeout) \S+| --no-color/g, "")
    .replace("-H Authorization: [Filtered]", '-H "Authorization: Bearer …"');
}

let ok = true;
for (const service of ["auth", "post"]) {
  const mine = runs.filter(({ name }) => name === service || name.startsWith(`${service}-`));
  const failures = mine.flatMap(({ report }) => report.failures);
  const errors = mine.reduce((sum, { report }) => sum + report.errors.length + report.test_cases.errored, 0);
  const incomplete = [
    ...mine.filter(({ report }) => !report.complete).map(({ name }) => name),
    ...expected.filter((name) => name.split("-")[0] === service && !mine.some((run) => run.name === name)),
  ];
  if (mine.length === 0 || failures.length > 0 || errors > 0 || incomplete.length > 0) {
    ok = false;
    console.error(
      `[fuzz] ${service}: ${mine.length} runs, ${errors} errors, incomplete: ${incomplete.join(", ") || "none"}`,
    );
    for (const f of failures)
      console.error(`[fuzz] ${service}: ${f.code} ${f.title} x${f.count}: ${f.operations.join(", ")}`);
    continue;
  }
  const sum = (pick: (r: Report) => number) => mine.reduce((total, { report }) => total + pick(report), 0);
  const checks = /--checks (\S+)/.exec(mine[0]?.report.command ?? "")?.[1] ?? "?";
  const examples = /--max-examples (\d+)/.exec(mine[0]?.report.command ?? "")?.[1] ?? "?";
  const warned = [...new Set(mine.flatMap(({ report }) => report.warnings.missing_auth ?? []))];
  const attacks: Attack[] = mine.map(({ name, report }) => ({
    attack: `schemathesis run "${name}": ${report.operations.tested} operation${report.operations.tested === 1 ? "" : "s"}, examples, coverage, fuzzing and stateful phases`,
    request: shortCommand(service, report.command),
    answer: `0 failures of ${checks.split(",").length} checks in ${report.test_cases.generated} test cases (${report.running_time.toFixed(1)} s)`,
    count: report.test_cases.generated,
  }));
  recordResult({
    id: `fuzz.${service}`,
    scenario: `schemathesis on ${service}'s OpenAPI document (scripts/fuzz, --max-examples ${examples}, seed 1)`,
    checked: `${checks.replaceAll(",", ", ")}: every answer not 5xx and as documented (status, content type, headers, body schema)`,
    figures: {
      runs: mine.length,
      operations: sum((r) => r.operations.tested),
      testCases: sum((r) => r.test_cases.generated),
      failures: 0,
      serverErrors: 0,
      seconds: Math.round(sum((r) => r.running_time)),
      ...(warned.length > 0 ? { onlyAnswered401or403: warned.join(", ") } : {}),
    },
    attacks,
  });
}
process.exit(ok ? 0 : 1);
