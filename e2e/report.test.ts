import { afterAll, expect, test } from "bun:test";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { attackOf, repeatedAttack, type ScenarioResult } from "./lib/results.ts";

const dir = await mkdtemp(join(tmpdir(), "e2e-report-"));
afterAll(() => rm(dir, { recursive: true, force: true }));

test("the hostile table counts each scenario's attacks, lists each with its request and answer, and marks the missing", async () => {
  const reply = {
    request: "POST /api/auth/login",
    status: 400,
    body: { title: "Bad Request", detail: "The request json is invalid." },
  };
  const result: ScenarioResult = {
    id: "hostile.malformed-input",
    scenario: "malformed bodies",
    checked: "each a 4xx",
    figures: { serverErrors: 0 },
    attacks: [
      attackOf("operator e-mail", reply),
      repeatedAttack("wrong passwords", "POST /api/auth/login", [{ status: 401 }, { status: 429 }, { status: 429 }]),
    ],
  };
  const file = join(dir, "results.jsonl");
  await writeFile(file, `${JSON.stringify(result)}\n`);
  const run = Bun.spawnSync(["bun", new URL("./report.ts", import.meta.url).pathname, "--hostile", file]);
  const table = run.stdout.toString();
  expect(table).toContain("1 of 8 scenarios recorded; 4 attacks tried, 4 held.");
  expect(table).toContain("| malformed bodies | 4 | 4 | serverErrors: 0 |");
  expect(table).toContain(
    "| hostile.malformed-input | operator e-mail | 1 | `POST /api/auth/login` | 400 The request json is invalid. |",
  );
  expect(table).toContain(
    "| hostile.malformed-input | wrong passwords | 3 | `POST /api/auth/login` | 401 x1, 429 x2 |",
  );
  expect(table).toContain("| schemathesis on post's OpenAPI document (scripts/fuzz) | - | - | **FAIL / not run**");
});
