/**
 * Fixed-rate (open-loop) load: requests leave on a schedule whatever the server does, and each latency is
 * measured from the request's *scheduled* time, so time spent queueing behind a slow server is counted
 * (no coordinated omission).
 */

export interface OpenLoopOptions {
  rate: number;
  seconds: number;
  /** Builds the i-th request. */
  request: (i: number) => Request;
  /** The statuses that count as success. */
  expect: (status: number) => boolean;
  /** Requests in flight beyond which the run is declared saturated. */
  maxInFlight?: number;
  /** Sees each response's status and latency (ms), e.g. to split figures by status. */
  onResponse?: (status: number, ms: number) => void;
}

export interface OpenLoopResult {
  sent: number;
  ok: number;
  failures: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  statuses: Record<number, number>;
}

export function percentile(sorted: number[], p: number) {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

export async function openLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const total = Math.round(options.rate * options.seconds);
  const interval = 1000 / options.rate;
  const maxInFlight = options.maxInFlight ?? 2000;
  const latencies: number[] = [];
  const statuses: Record<number, number> = {};
  let inFlight = 0;
  let failures = 0;
  const pending: Promise<void>[] = [];
  const start = performance.now();

  for (let i = 0; i < total; i++) {
    const scheduled = start + i * interval;
    const wait = scheduled - performance.now();
    if (wait > 1) await Bun.sleep(wait);
    if (inFlight >= maxInFlight) {
      failures++;
      continue;
    }
    inFlight++;
    pending.push(
      fetch(options.request(i))
        .then(async (res) => {
          await res.arrayBuffer();
          statuses[res.status] = (statuses[res.status] ?? 0) + 1;
          if (!options.expect(res.status)) failures++;
          const ms = performance.now() - scheduled;
          latencies.push(ms);
          options.onResponse?.(res.status, ms);
        })
        .catch(() => {
          failures++;
        })
        .finally(() => {
          inFlight--;
        }),
    );
  }
  await Promise.all(pending);
  latencies.sort((a, b) => a - b);
  return {
    sent: total,
    ok: total - failures,
    failures,
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    maxMs: latencies.at(-1) ?? Number.NaN,
    statuses,
  };
}
