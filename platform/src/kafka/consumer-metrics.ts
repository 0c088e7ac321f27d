import { Counter, Gauge, type Registry } from "prom-client";
import type { ConsumerMetrics, RunningConsumer } from "./consumer.ts";

/**
 * A consumer's series in a service's registry: messages dead-lettered (by topic and reason), retries (by
 * topic), and, once `watch` names the running consumer, the partitions failing right now.
 */
export function consumerMetrics(registry: Registry): ConsumerMetrics & { watch(consumer: RunningConsumer): void } {
  const deadLettered = new Counter({
    name: "kafka_consumer_dead_lettered_total",
    help: "Messages sent to a dead-letter topic, by source topic and reason",
    labelNames: ["topic", "reason"],
    registers: [registry],
  });
  const retried = new Counter({
    name: "kafka_consumer_retries_total",
    help: "Failed attempts at a chunk or an event that will be tried again, by topic",
    labelNames: ["topic"],
    registers: [registry],
  });
  let watched: RunningConsumer | undefined;
  new Gauge({
    name: "kafka_consumer_failing_partitions",
    help: "Partitions whose next event keeps failing (being retried, or waiting out an outage)",
    registers: [registry],
    collect() {
      this.set(watched?.stalled(0).length ?? 0);
    },
  });
  return {
    deadLettered: (topic, reason) => deadLettered.inc({ topic, reason }),
    retried: (topic) => retried.inc({ topic }),
    watch(consumer) {
      watched = consumer;
    },
  };
}
