import { afterAll, describe, expect, test } from "bun:test";
import { cp, mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "./contract-files.ts";

const scratch = await mkdtemp(join(tmpdir(), "contracts-check-"));
afterAll(() => rm(scratch, { recursive: true, force: true }));

async function gate(...args: string[]) {
  const proc = Bun.spawn(["bun", "run", "contracts:check", ...args], { cwd: repoRoot, stdout: "pipe", stderr: "pipe" });
  const [out, err, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  return { code, output: out + err };
}

describe("bun run contracts:check", () => {
  test("passes on the committed snapshots", async () => {
    const { code, output } = await gate();
    expect(output).toMatch(/contracts:check passed: \d+ event versions match their snapshots/);
    expect(code).toBe(0);
  });

  test("fails when the code dropped a field its snapshot promises", async () => {
    // A snapshot with one more required field stands for code that removed it after publishing.
    await cp(join(repoRoot, "contracts/schemas"), join(scratch, "contracts/schemas"), { recursive: true });
    const path = join(scratch, "contracts/schemas/user.updated.v1.json");
    const snapshot = await Bun.file(path).json();
    snapshot.properties.data.properties.avatarUrl = { type: "string" };
    snapshot.properties.data.required.push("avatarUrl");
    await Bun.write(path, JSON.stringify(snapshot));
    const { code, output } = await gate(scratch);
    expect(output).toContain("user.updated v1 changed incompatibly:\n  - data.avatarUrl: field-removed:");
    expect(output).toContain('Publish a new version instead: declare defineEvent("user.updated", 2, ...)');
    expect(code).toBe(1);
  });

  test("fails when an event version has no snapshot", async () => {
    const { code, output } = await gate(join(scratch, "nowhere"));
    expect(output).toContain(
      "user.registered.v1 has no snapshot (contracts/schemas/user.registered.v1.json): run bun run contracts:snapshot",
    );
    expect(code).toBe(1);
  });
});
