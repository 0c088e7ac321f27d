export interface RetryPolicy {
  /** Attempts before the work is given up (the first try included). */
  attempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
}

export const defaultRetry: RetryPolicy = { attempts: 5, initialDelayMs: 100, maxDelayMs: 5000 };

/** What a consumer's worker can ask kafkajs while it holds a batch. */
export interface Liveness {
  heartbeat(): Promise<void>;
  /** False once the consumer is stopping or the partition was taken away: stop, leave the rest unresolved. */
  live(): boolean;
}

export type Attempt = { outcome: "done" } | { outcome: "failed"; error: unknown } | { outcome: "stopped" };

// A heartbeat at least this often while waiting keeps the member in the group (session timeout 30 s).
const HEARTBEAT_SLICE_MS = 1000;

/**
 * Answers whether the stores the handlers write to are reachable. While they are not, a failure says
 * nothing about the event, so it is retried instead of dead-lettered.
 */
export type DependencyProbe = () => Promise<boolean>;

/**
 * Runs `work` until it succeeds, up to `retry.attempts` times, with exponential backoff and jitter between
 * tries. Attempts that fail while `dependenciesUp` says a dependency is down do not count: the work waits
 * (at the longest backoff) for the outage to end, rather than sending a good event to the dead-letter
 * topic. Gives up early ("stopped") when the consumer stops, so shutdown never waits out a backoff.
 */
export async function withRetries(
  work: () => Promise<void>,
  retry: RetryPolicy,
  liveness: Liveness,
  onRetry: (error: unknown, attempt: number) => void,
  dependenciesUp: DependencyProbe = async () => true,
): Promise<Attempt> {
  for (let attempt = 1; ; attempt++) {
    try {
      await work();
      return { outcome: "done" };
    } catch (error) {
      if (attempt >= retry.attempts) {
        if (await dependenciesUp()) return { outcome: "failed", error };
        attempt = retry.attempts - 1;
      }
      onRetry(error, attempt);
      if (!(await backoff(retry, attempt, liveness))) return { outcome: "stopped" };
    }
  }
}

/** Waits the backoff of `attempt` in slices, heartbeating between them; false if the consumer stopped. */
async function backoff(retry: RetryPolicy, attempt: number, liveness: Liveness) {
  const ceiling = Math.min(retry.maxDelayMs, retry.initialDelayMs * 2 ** (attempt - 1));
  const until = Date.now() + ceiling / 2 + Math.random() * (ceiling / 2);
  for (let left = until - Date.now(); left > 0; left = until - Date.now()) {
    if (!liveness.live()) return false;
    await Bun.sleep(Math.min(left, HEARTBEAT_SLICE_MS));
    await liveness.heartbeat();
  }
  return liveness.live();
}

/** The error's message, for logs and dead-letter headers. */
export const errorMessage = (error: unknown) => (error instanceof Error ? error.message : String(error));
