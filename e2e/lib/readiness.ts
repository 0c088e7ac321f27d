/** Polls a service's /readyz for a wanted status, returning the report seen. */
import { eventually } from "@chirp/platform/testing";

export interface ReadinessReport {
  status: number;
  checks: Record<string, string>;
}

export async function readyz(base: URL): Promise<ReadinessReport> {
  const res = await fetch(new URL("/readyz", base), { signal: AbortSignal.timeout(5000) });
  const body = (await res.json()) as { checks: Record<string, string> };
  return { status: res.status, checks: body.checks };
}

export function waitForReadiness(base: URL, status: 200 | 503, timeoutMs = 30_000) {
  return eventually(
    async () => {
      const report = await readyz(base);
      // Thrown, so a timeout names the checks that were still failing.
      if (report.status !== status) throw new Error(JSON.stringify(report.checks));
      return report;
    },
    { timeoutMs, intervalMs: 100, what: `${base.origin}/readyz ${status}` },
  );
}
