/**
 * Scenario 7: cold start (process start -> `/readyz` 200, servers already up, a fresh database each time)
 * and idle RSS of each service, from source (`bun src/main.ts`) and as the compiled executable the
 * container image runs (`scripts/compile-service`).
 */
import type { Row } from "../lib/report.ts";
import { startStack } from "../lib/stack.ts";

/** Builds both executables into .cache/bench/, where the stack's "compiled" mode runs them. */
export async function compileServices() {
  for (const service of ["auth", "post"]) {
    const build = Bun.spawn(["bash", "scripts/compile-service", service, `.cache/bench/${service}`], {
      cwd: new URL("../..", import.meta.url).pathname,
      stdout: "ignore",
      stderr: "inherit",
    });
    if ((await build.exited) !== 0) throw new Error(`compiling ${service} failed`);
  }
}

export async function startup(report: (row: Row) => void, mode: "source" | "compiled") {
  const stack = await startStack(mode);
  try {
    // A second of idleness after start-up before reading resident memory.
    await Bun.sleep(1000);
    for (const [service, started] of [
      ["auth", stack.auth],
      ["post", stack.post],
    ] as const) {
      const rss = await started.rssMiB();
      report({
        scenario: `${service} cold start to readyz, ${mode}`,
        goal: "< 300 ms",
        pass: started.startMs < 300,
        note: `${started.startMs.toFixed(0)} ms; idle RSS ${rss.toFixed(1)} MiB (goal < 60)`,
        p50Ms: started.startMs,
      });
    }
  } finally {
    await stack.stop();
  }
}
