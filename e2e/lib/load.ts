/**
 * Steady background load: `workers` loops each calling `step` until stopped or `maxStepsPerWorker` is
 * reached, so a run is bounded in count even when a condition the test waits for never comes.
 */
export interface Load {
  /** Steps finished so far (all workers). */
  readonly steps: number;
  /** Errors thrown by steps (a step reports failures by throwing). */
  readonly errors: unknown[];
  stop(): Promise<void>;
}

export function startLoad(
  workers: number,
  step: (worker: number) => Promise<void>,
  { maxStepsPerWorker = 1000 } = {},
): Load {
  let running = true;
  let steps = 0;
  const errors: unknown[] = [];
  const loops = Array.from({ length: workers }, async (_, worker) => {
    for (let i = 0; running && i < maxStepsPerWorker; i++) {
      try {
        await step(worker);
      } catch (error) {
        errors.push(error);
      }
      steps++;
    }
  });
  return {
    get steps() {
      return steps;
    },
    errors,
    async stop() {
      running = false;
      await Promise.all(loops);
    },
  };
}

/** Runs `count` steps, `concurrency` at a time. */
export async function runSteps(count: number, concurrency: number, step: (index: number) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) await step(next++);
    }),
  );
}
