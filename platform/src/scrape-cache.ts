/**
 * A reading taken at most once per `maxAgeMs`, shared by the scrapes in between: series that cost a round trip
 * to a database or the brokers are read on scrape (nothing runs while nobody looks), but several Prometheus
 * servers, or a fast scrape interval, do not multiply that cost. A failed reading is not kept.
 */
export function cachedReading<T>(read: () => Promise<T>, maxAgeMs: number): () => Promise<T> {
  let last: { at: number; value: Promise<T> } | undefined;
  return () => {
    const now = performance.now();
    if (last && now - last.at < maxAgeMs) return last.value;
    const value = read();
    last = { at: now, value };
    value.catch(() => {
      if (last?.value === value) last = undefined;
    });
    return value;
  };
}
