import type { Admin } from "kafkajs";
import { Gauge, type Registry } from "prom-client";
import { cachedReading } from "../scrape-cache.ts";

export interface PartitionLag {
  topic: string;
  partition: number;
  lag: number;
}

/**
 * How far a consumer group is behind on each partition of `topics`: the partition's end offset minus the
 * group's committed offset (its start offset when the group has committed nothing there yet).
 */
export async function consumerLag(admin: Admin, groupId: string, topics: readonly string[]): Promise<PartitionLag[]> {
  const [ends, committed] = await Promise.all([
    Promise.all(topics.map(async (topic) => ({ topic, partitions: await admin.fetchTopicOffsets(topic) }))),
    admin.fetchOffsets({ groupId, topics: [...topics] }),
  ]);
  const committedAt = new Map<string, number>();
  for (const { topic, partitions } of committed) {
    for (const { partition, offset } of partitions) committedAt.set(`${topic}|${partition}`, Number(offset));
  }
  return ends.flatMap(({ topic, partitions }) =>
    partitions.map(({ partition, high, low }) => {
      const done = committedAt.get(`${topic}|${partition}`) ?? -1;
      return { topic, partition, lag: Math.max(0, Number(high) - (done >= 0 ? done : Number(low))) };
    }),
  );
}

/**
 * `kafka_consumer_lag{topic, partition}`, asked of the brokers on scrape (cached for `cacheMs`): the events a
 * partition still has to apply. Lag that keeps growing pages someone; see deploy/prometheus/alerts.yaml.
 */
export function consumerLagMetrics(registry: Registry, read: () => Promise<PartitionLag[]>, cacheMs = 5000): void {
  const cached = cachedReading(read, cacheMs);
  new Gauge({
    name: "kafka_consumer_lag",
    help: "Events on a partition that the service's consumer group has not committed yet",
    labelNames: ["topic", "partition"],
    registers: [registry],
    async collect() {
      // Brokers out of reach: the last figures stay (readiness reports the outage), /metrics still answers.
      const lags = await cached().catch(() => undefined);
      if (!lags) return;
      this.reset();
      for (const { topic, partition, lag } of lags) this.set({ topic, partition: String(partition) }, lag);
    },
  });
}
