/** Scenario 7: cold start (process start -> `/readyz` 200, servers already up) and idle RSS of each service. */
import type { Row } from "../lib/report.ts";
import { startStack } from "../lib/stack.ts";

export async function startup(report: (row: Row) => void) {
  const stack = await startStack();
  try {
    // Let start-up garbage settle before reading idle memory.
    Bun.gc(true);
    await Bun.sleep(1000);
    for (const [service, started] of [
      ["auth", stack.auth],
      ["post", stack.post],
    ] as const) {
      const rss = await started.rssMiB();
      report({
        scenario: `${service} cold start to readyz (ms)`,
        referenceValue: started.startMs,
        goal: "< 300 ms",
        pass: started.startMs < 300,
        note: `${started.startMs.toFixed(0)} ms; idle RSS ${rss.toFixed(1)} MiB (goal < 60)`,
      });
    }
  } finally {
    await stack.stop();
  }
}
