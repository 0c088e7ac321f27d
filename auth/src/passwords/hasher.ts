import { createLimiter, type Limiter, OverloadedError } from "./limiter.ts";
import { argon2Params } from "./policy.ts";

export interface PasswordHasher {
  hash(password: string): Promise<string>;
  /** Checks a password against a stored hash; with no hash, spends the same time and answers false. */
  verify(password: string, hash: string | null): Promise<boolean>;
  /**
   * Runs a whole request that will hash (its database reads included) only while no more such requests are
   * in flight than the hasher can run and queue; beyond that it fails at once with OverloadedError, before
   * the request costs any database work.
   */
  admit<T>(task: () => Promise<T>): Promise<T>;
  /** Whether `admit` would refuse a request now: callers answer 503 before doing any other work for it. */
  saturated(): boolean;
  /** The error a caller throws when `saturated()` said so, counted as a refusal. */
  refusal(): OverloadedError;
  /** For metrics: hashes running and queued, and requests refused since start (`refusal` or by `admit`). */
  stats(): { running: number; queued: number; refused: number };
}

export interface HasherOptions {
  concurrency: number;
  queue: number;
  params?: Bun.Password.AlgorithmLabel | Bun.Password.Argon2Algorithm;
}

/**
 * argon2id on Bun's worker threads (never on the event loop), behind a limiter that bounds both the
 * hashes in flight and the queue in front of them.
 */
export function createPasswordHasher(
  options: HasherOptions,
  limiter: Limiter = createLimiter(options.concurrency, options.queue),
): PasswordHasher {
  const params = options.params ?? argon2Params;
  const gate = createLimiter(options.concurrency + options.queue, 0);
  // Verifying unknown e-mails against a real hash of the same cost makes them as slow as wrong passwords.
  let dummy: Promise<string> | undefined;
  const dummyHash = () => {
    dummy ??= Bun.password.hash(crypto.randomUUID(), params);
    return dummy;
  };
  let refused = 0;
  return {
    admit: (task) =>
      gate.run(task).catch((error: unknown) => {
        if (error instanceof OverloadedError) refused++;
        throw error;
      }),
    saturated: () => gate.stats().running >= options.concurrency + options.queue,
    refusal() {
      refused++;
      return new OverloadedError(1);
    },
    stats: () => ({ ...limiter.stats(), refused }),
    hash: (password) => limiter.run(() => Bun.password.hash(password, params)),
    verify: (password, hash) =>
      limiter.run(async () => {
        if (hash === null) {
          await Bun.password.verify(password, await dummyHash());
          return false;
        }
        return Bun.password.verify(password, hash);
      }),
  };
}
