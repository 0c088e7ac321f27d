import { expect, test } from "bun:test";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "./contract-files.ts";

const readme = readFileSync(join(repoRoot, "README.md"), "utf8");
const layout = /^## Layout\n[\s\S]*?^```\n([\s\S]*?)^```$/m.exec(readme)?.[1] ?? "";

test("the README's Layout names every top-level folder of the repository and every patch", () => {
  const listed = Bun.spawnSync(["git", "ls-files", "--cached", "--others", "--exclude-standard"], { cwd: repoRoot });
  const folders = new Set(
    listed.stdout
      .toString()
      .split("\n")
      .filter((path) => path.includes("/"))
      .map((path) => `${path.split("/")[0]}/`),
  );
  const patches = readdirSync(join(repoRoot, "patches"));
  const missing = [...folders, ...patches].filter((name) => !layout.includes(name));
  expect(layout).toContain("patches/");
  expect(missing).toEqual([]);
});
