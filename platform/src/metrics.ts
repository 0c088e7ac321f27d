import { Gauge, Registry } from "prom-client";

/** A service's Prometheus registry, with the HTTP request histogram every service records. */
export interface Metrics {
  registry: Registry;
  observeRequest(method: string, route: string, status: number, seconds: number): void;
}

export function createMetrics(service: string): Metrics {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  const requests = new RequestHistogram();
  // The registry renders any metric with a name, help, type and get(); its types only list prom-client's classes.
  registry.registerMetric(requests as never);
  // prom-client's default collectors report event-loop figures Bun does not provide; these two it does.
  new Gauge({
    name: "process_resident_memory_bytes",
    help: "Resident memory size in bytes",
    registers: [registry],
    collect() {
      this.set(process.memoryUsage().rss);
    },
  });
  new Gauge({
    name: "process_cpu_seconds_total",
    help: "User and system CPU time spent, in seconds",
    registers: [registry],
    collect() {
      const { user, system } = process.cpuUsage();
      this.set((user + system) / 1e6);
    },
  });
  return {
    registry,
    observeRequest(method, route, status, seconds) {
      requests.observe(method, route, status, seconds);
    },
  };
}

const bounds = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5];

/** The value under `key`, added by `make` the first time. */
function entry<K, V>(map: Map<K, V>, key: K, make: () => V): V {
  let value = map.get(key);
  if (value === undefined) {
    value = make();
    map.set(key, value);
  }
  return value;
}

interface Series {
  /** Observations per bucket (not cumulative), the last one past every bound. */
  counts: number[];
  sum: number;
}

/**
 * `http_request_duration_seconds`, a histogram by method, matched route and status, registered in a prom-client
 * registry (which renders it, with the default labels). prom-client's own Histogram costs microseconds per
 * observation (a label hash built as a string, buckets keyed by the bound's decimal string), and this one runs
 * on every request; here an observation is three Map lookups on strings that already exist and an array
 * increment.
 */
export class RequestHistogram {
  readonly name = "http_request_duration_seconds";
  readonly help = "HTTP requests by method, matched route and status";
  readonly type = "histogram";
  readonly aggregator = "sum";
  readonly #series = new Map<string, Map<string, Map<number, Series>>>();

  observe(method: string, route: string, status: number, seconds: number) {
    const byMethod = entry(this.#series, route, () => new Map());
    const byStatus = entry(byMethod, method, () => new Map());
    const series = entry(byStatus, status, () => ({ counts: new Array<number>(bounds.length + 1).fill(0), sum: 0 }));
    let bucket = 0;
    while (bucket < bounds.length && seconds > (bounds[bucket] as number)) bucket++;
    series.counts[bucket] = (series.counts[bucket] as number) + 1;
    series.sum += seconds;
  }

  /** The series in the shape prom-client's registry renders: cumulative buckets, `+Inf`, sum and count. */
  get() {
    const values: { metricName: string; labels: Record<string, string | number>; value: number }[] = [];
    for (const [route, byMethod] of this.#series) {
      for (const [method, byStatus] of byMethod) {
        for (const [status, { counts, sum }] of byStatus) {
          const labels = { method, route, status: String(status) };
          let cumulative = 0;
          counts.forEach((count, i) => {
            cumulative += count;
            const le = i < bounds.length ? (bounds[i] as number) : "+Inf";
            values.push({ metricName: `${this.name}_bucket`, labels: { le, ...labels }, value: cumulative });
          });
          values.push({ metricName: `${this.name}_sum`, labels, value: sum });
          values.push({ metricName: `${this.name}_count`, labels, value: cumulative });
        }
      }
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }
}
