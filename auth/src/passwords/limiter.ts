import { RetryLaterError } from "../errors.ts";

/** Thrown when the limiter's queue is full: the caller answers 503 at once instead of waiting. */
export class OverloadedError extends RetryLaterError {
  override name = "OverloadedError";
  constructor(retryAfterSeconds: number) {
    super(503, retryAfterSeconds, "The service is busy; try again shortly.");
  }
}

export interface Limiter {
  run<T>(task: () => Promise<T>): Promise<T>;
  stats(): { running: number; queued: number };
}

/**
 * At most `concurrency` tasks run at once and at most `queue` wait; any more are refused with
 * OverloadedError, so excess load is rejected in microseconds rather than piling up until timeouts.
 */
export function createLimiter(concurrency: number, queue: number, retryAfterSeconds = 1): Limiter {
  let running = 0;
  const waiting: (() => void)[] = [];

  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else running--;
  };

  return {
    async run(task) {
      if (running >= concurrency) {
        if (waiting.length >= queue) throw new OverloadedError(retryAfterSeconds);
        // The slot is handed over by `release`, so `running` stays counted while it changes hands.
        await new Promise<void>((resolve) => waiting.push(resolve));
      } else {
        running++;
      }
      try {
        return await task();
      } finally {
        release();
      }
    },
    stats: () => ({ running, queued: waiting.length }),
  };
}
