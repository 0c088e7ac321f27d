import type { Logger } from "./logger.ts";

/** One step of a graceful shutdown, run in the order given. */
export interface ShutdownStep {
  name: string;
  run: () => Promise<unknown>;
}

/**
 * Runs the steps in order; a failing step is logged and the rest still run. Returns false when they did not
 * all finish within `timeoutMs`.
 */
export async function runShutdown(steps: ShutdownStep[], logger: Logger, timeoutMs: number): Promise<boolean> {
  const all = (async () => {
    for (const step of steps) {
      try {
        await step.run();
        logger.info({ step: step.name }, "shutdown step done");
      } catch (error) {
        logger.error({ step: step.name, err: error }, "shutdown step failed");
      }
    }
    return true;
  })();
  let timer: Timer | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  const finished = await Promise.race([all, timeout]);
  clearTimeout(timer);
  if (!finished) logger.error({ timeoutMs }, "shutdown timed out");
  return finished;
}

/** On SIGTERM or SIGINT (once), runs `shutdown` and exits with 0, or 1 if it did not complete. */
export function exitOnSignal(shutdown: () => Promise<boolean>, logger: Logger) {
  let started = false;
  const handler = (signal: NodeJS.Signals) => {
    if (started) return;
    started = true;
    logger.info({ signal }, "shutting down");
    shutdown().then((ok) => process.exit(ok ? 0 : 1));
  };
  process.on("SIGTERM", handler);
  process.on("SIGINT", handler);
}
