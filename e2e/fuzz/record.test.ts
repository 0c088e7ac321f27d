import { afterAll, expect, test } from "bun:test";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";

const dir = await mkdtemp(join(tmpdir(), "fuzz-record-"));
afterAll(() => rm(dir, { recursive: true, force: true }));

/** A schemathesis JSON report as 4.32.5 writes it, reduced to the fields record.ts reads. */
const report = (failures: { code: string; title: string; count: number; operations: string[] }[]) => ({
  command:
    "st run http://127.0.0.1:4000/openapi.json --checks not_a_server_error,response_schema_conformance --max-examples 25 --seed 1 -H Authorization: [Filtered] --report json --report-json-path x.json",
  running_time: 12.5,
  complete: true,
  stop_reason: "completed",
  operations: { selected: 6, tested: 6, errored: 0 },
  test_cases: { generated: 300, with_failures: failures.length, errored: 0 },
  failures,
  errors: [],
  warnings: { missing_auth: [] },
});

async function record(reports: Record<string, unknown>, expected = Object.keys(reports)) {
  const reportsDir = await mkdtemp(join(dir, "reports-"));
  for (const [name, body] of Object.entries(reports))
    await writeFile(join(reportsDir, `${name}.json`), JSON.stringify(body));
  const results = join(reportsDir, "results.jsonl");
  const run = Bun.spawnSync(["bun", new URL("./record.ts", import.meta.url).pathname, reportsDir, ...expected], {
    env: { ...process.env, E2E_RESULTS: results },
  });
  const lines = await readFile(results, "utf8").catch(() => "");
  return {
    code: run.exitCode,
    stderr: run.stderr.toString(),
    lines: lines
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l)),
  };
}

test("a service whose runs found nothing is recorded with its figures and the command without its token", async () => {
  const { code, lines } = await record({ auth: report([]), "auth-DELETE-_api_users_me": report([]), post: report([]) });
  expect(code).toBe(0);
  expect(lines.map((line) => [line.id, line.figures.testCases, line.figures.failures])).toEqual([
    ["fuzz.auth", 600, 0],
    ["fuzz.post", 300, 0],
  ]);
  expect(lines[1].attacks[0].request).toBe(
    'schemathesis run <post>/openapi.json --max-examples 25 --seed 1 -H "Authorization: Bearer …"',
  );
});

test("a server error in any run fails the command and leaves its service without a line", async () => {
  const error = { code: "ST101", title: "Server error", count: 1, operations: ["GET /api/whoami"] };
  const { code, stderr, lines } = await record({ auth: report([]), post: report([error]) });
  expect(code).toBe(1);
  expect(stderr).toContain("ST101 Server error x1: GET /api/whoami");
  expect(lines.map((line) => line.id)).toEqual(["fuzz.auth"]);
});

test("a run without its report (killed at its time limit) fails the command and leaves its service without a line", async () => {
  const { code, stderr, lines } = await record({ auth: report([]), post: report([]) }, [
    "auth",
    "auth-DELETE-_api_users_me",
    "post",
  ]);
  expect(code).toBe(1);
  expect(stderr).toContain("incomplete: auth-DELETE-_api_users_me");
  expect(lines.map((line) => line.id)).toEqual(["fuzz.post"]);
});
