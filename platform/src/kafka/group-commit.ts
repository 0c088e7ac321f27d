/** One caller's items, and how to tell it how they went. */
interface Submission<T> {
  items: readonly T[];
  done: PromiseWithResolvers<void>;
}

/**
 * Group commit: `apply` runs on everything submitted while its previous run was in flight, as one call, so
 * concurrent callers (a consumer's partitions, handled at once) share one round trip to the store. With one
 * caller at a time it adds no wait; as load grows, each round trip carries more.
 *
 * Runs never overlap. A submission settles with the run that carried it; when a run of several fails, each
 * submission is applied again on its own, so one caller's bad item (a poison event) fails that caller only.
 * `apply` must therefore be safe to repeat, and must not depend on the order of different callers' items.
 */
export function groupCommit<T>(apply: (items: readonly T[]) => Promise<void>): (items: readonly T[]) => Promise<void> {
  let waiting: Submission<T>[] = [];
  let running = false;

  async function run(batch: Submission<T>[]) {
    try {
      await apply(batch.length === 1 ? (batch[0] as Submission<T>).items : batch.flatMap((each) => each.items));
      for (const each of batch) each.done.resolve();
    } catch (error) {
      if (batch.length === 1) (batch[0] as Submission<T>).done.reject(error);
      else for (const each of batch) await run([each]);
    }
  }

  async function drain() {
    running = true;
    while (waiting.length > 0) {
      const batch = waiting;
      waiting = [];
      await run(batch);
    }
    running = false;
  }

  return (items) => {
    const done = Promise.withResolvers<void>();
    waiting.push({ items, done });
    if (!running) void drain();
    return done.promise;
  };
}
