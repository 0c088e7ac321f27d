import { describe, expect, test } from "bun:test";
import { readFileSync, rmSync } from "node:fs";
import { join } from "node:path";

describe("@chirp/client", () => {
  test("bundles to hono/client alone: nothing of either server is in its runtime graph", async () => {
    const build = await Bun.build({ entrypoints: [join(import.meta.dir, "index.ts")], target: "browser" });
    expect(build.success).toBe(true);
    const bundle = (await Promise.all(build.outputs.map((output) => output.text()))).join("\n");
    // Bun heads each bundled module with a comment naming its file: hono's client (and the utilities it
    // imports), and this package's own entry, nothing else.
    const modules = [...bundle.matchAll(/^\/\/ (\S+\.[jt]s)$/gm)].map((match) => match[1] ?? "");
    expect(modules.length).toBeGreaterThan(0);
    const foreign = modules.filter(
      (path) => path !== "client/src/index.ts" && !/node_modules\/.*\/hono\/dist\//.test(path),
    );
    expect(foreign).toEqual([]);
    expect(modules).toContain("client/src/index.ts");
    expect(bundle).toContain("createAuthClient");
  });

  test("the README's example typechecks against the services' routes", async () => {
    const readme = readFileSync(join(import.meta.dir, "../../README.md"), "utf8");
    const example = /```ts\n(import \{[^`]*from "@chirp\/client";[\s\S]*?)```/.exec(readme)?.[1];
    expect(example).toBeDefined();
    // Written into this package with a tsconfig of the repository's options, so its imports resolve as a
    // user's would through the workspace.
    const name = `readme-example-${crypto.randomUUID()}`;
    const file = join(import.meta.dir, `${name}.ts`);
    const config = join(import.meta.dir, `${name}.tsconfig.json`);
    await Bun.write(file, `${example}\nexport {};\n`);
    await Bun.write(config, JSON.stringify({ extends: "../../tsconfig.json", include: [], files: [file] }));
    try {
      const tsc = Bun.spawnSync([process.execPath, "x", "tsc", "-p", config], { stdout: "pipe", stderr: "pipe" });
      expect(`${tsc.stdout.toString()}${tsc.stderr.toString()}`).toBe("");
      expect(tsc.exitCode).toBe(0);
    } finally {
      rmSync(file, { force: true });
      rmSync(config, { force: true });
    }
  }, 60_000);
});
