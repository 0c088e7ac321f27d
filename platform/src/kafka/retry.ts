export interface RetryPolicy {
  /** Attempts before the work is given up (the first try included). */
  attempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
}

export const defaultRetry: RetryPolicy = { attempts: 5, initialDelayMs: 100, maxDelayMs: 5000 };

/**
 * Answers whether the stores the handlers write to are reachable. While they are not, a failure says
 * nothing about the event, so it is retried instead of dead-lettered.
 */
export type DependencyProbe = () => Promise<boolean>;

/** What to do after a failed attempt: wait `delayMs` and try again, or give up on the work. */
export type Verdict = { retry: true; delayMs: number } | { retry: false };

/** The work a partition keeps failing on: where, since when, and how many attempts counted so far. */
interface Failing {
  offset: string;
  singly: boolean;
  failures: number;
  since: number;
}

/**
 * What each partition keeps failing on, so a failure can be retried by pausing only that partition and
 * fetching it again later, rather than by waiting inside the batch: kafkajs fetches again only once every
 * batch in hand has returned, so a batch waiting out its backoff would hold back every other partition.
 *
 * Attempts that fail while `dependenciesUp` says a dependency is down do not count: the work waits (at the
 * longest backoff) for the outage to end, rather than sending a good event to the dead-letter topic. An error
 * `permanent` recognises (one no retry can fix, such as a value the database refuses) is given up at once.
 */
export class PartitionRetries {
  readonly #failing = new Map<string, Failing>();
  /** Offsets already dead-lettered in the chunk a partition is retrying, so a fetch again does not repeat them. */
  readonly #parked = new Map<string, Set<string>>();

  constructor(
    private readonly policy: RetryPolicy,
    private readonly dependenciesUp: DependencyProbe,
    private readonly permanent: (error: unknown) => boolean = () => false,
  ) {}

  /** True when `offset` of `partition` has failed as a chunk often enough to be applied event by event. */
  singly(partition: string, offset: string) {
    const failing = this.#failing.get(partition);
    return failing?.offset === offset && failing.singly;
  }

  /** Records a failure of the work starting at `offset` (a chunk, or one event when `singly`). */
  async failed(partition: string, offset: string, singly: boolean, error: unknown): Promise<Verdict> {
    let failing = this.#failing.get(partition);
    if (failing?.offset !== offset || failing.singly !== singly) {
      // Failing again where it failed before (now event by event) is no progress: the stall goes on.
      const since = failing?.offset === offset ? failing.since : Date.now();
      failing = { offset, singly, failures: 0, since };
      this.#failing.set(partition, failing);
    }
    failing.failures++;
    const exhausted = failing.failures >= this.policy.attempts || this.permanent(error);
    if (exhausted && (await this.dependenciesUp())) {
      // A chunk given up is applied event by event next; an event given up is dead-lettered and forgotten.
      if (singly) this.#failing.delete(partition);
      else Object.assign(failing, { singly: true, failures: 0 });
      return { retry: false };
    }
    failing.failures = Math.min(failing.failures, this.policy.attempts - 1);
    return { retry: true, delayMs: this.#delay(failing.failures) };
  }

  /** True the first time `offset` of `partition` is parked, false when a retry fetched it again. */
  park(partition: string, offset: string) {
    const parked = this.#parked.get(partition) ?? new Set<string>();
    if (parked.has(offset)) return false;
    this.#parked.set(partition, parked.add(offset));
    return true;
  }

  /** The partition got past whatever it was failing on. */
  succeeded(partition: string) {
    this.#failing.delete(partition);
    this.#parked.delete(partition);
  }

  /** Forgets every partition, e.g. when the group rebalanced: one may now be another member's. */
  forget() {
    this.#failing.clear();
    this.#parked.clear();
  }

  /** The partitions (`topic|partition`) that have been failing for longer than `ms`. */
  stalled(ms: number) {
    const before = Date.now() - ms;
    return [...this.#failing].filter(([, failing]) => failing.since < before).map(([key]) => key);
  }

  /** Exponential backoff with jitter: between half and all of the attempt's ceiling. */
  #delay(failures: number) {
    const ceiling = Math.min(this.policy.maxDelayMs, this.policy.initialDelayMs * 2 ** (failures - 1));
    return ceiling / 2 + Math.random() * (ceiling / 2);
  }
}

/** The error's message, for logs and dead-letter headers. */
export const errorMessage = (error: unknown) => (error instanceof Error ? error.message : String(error));
