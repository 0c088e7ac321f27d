/** A dependency probe: resolves when the dependency answers, throws (or times out) when it does not. */
export type Check = () => Promise<unknown>;

export interface ReadinessReport {
  status: "ok" | "unavailable";
  /** Each dependency: "ok", or why it is not. */
  checks: Record<string, string>;
}

export type Readiness = () => Promise<ReadinessReport>;

/** Runs every check in parallel, each bounded by `timeoutMs`, and reports which failed. */
export function createReadiness(checks: Record<string, Check>, timeoutMs = 1000): Readiness {
  return async () => {
    const entries = await Promise.all(
      Object.entries(checks).map(async ([name, check]) => [name, await outcome(check, timeoutMs)] as const),
    );
    const report = Object.fromEntries(entries);
    const healthy = entries.every(([, result]) => result === "ok");
    return { status: healthy ? "ok" : "unavailable", checks: report };
  };
}

/** Runs one check: "ok", or why not (its error, or that it did not answer within `timeoutMs`). */
export async function outcome(check: Check, timeoutMs: number): Promise<string> {
  let timer: Timer | undefined;
  const timeout = new Promise<string>((resolve) => {
    timer = setTimeout(() => resolve(`no answer within ${timeoutMs} ms`), timeoutMs);
  });
  try {
    return await Promise.race([
      check().then(
        () => "ok",
        (error: unknown) => (error instanceof Error ? error.message : String(error)),
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}
