import { Gauge, type Registry } from "prom-client";
import { cachedReading } from "./scrape-cache.ts";

/** What waits in an outbox: entries not yet published, and how long the oldest one has waited. */
export interface OutboxBacklog {
  pending: number;
  /** 0 when the outbox is empty. */
  oldestAgeSeconds: number;
}

/**
 * `outbox_pending_events` and `outbox_oldest_age_seconds`, read from the store on scrape (cached for
 * `cacheMs`). A growing age is the page-worthy sign: events stop reaching the other service while requests
 * still succeed.
 */
export function outboxMetrics(registry: Registry, backlog: () => Promise<OutboxBacklog>, cacheMs = 5000) {
  const cached = cachedReading(backlog, cacheMs);
  // Database out of reach: the last figures stay (readiness reports the outage), /metrics still answers.
  const read = () => cached().catch(() => undefined);
  new Gauge({
    name: "outbox_pending_events",
    help: "Events written to the outbox and not yet published to Kafka",
    registers: [registry],
    async collect() {
      const backlog = await read();
      if (backlog) this.set(backlog.pending);
    },
  });
  new Gauge({
    name: "outbox_oldest_age_seconds",
    help: "How long the oldest unpublished outbox event has waited (0 when the outbox is empty)",
    registers: [registry],
    async collect() {
      const backlog = await read();
      if (backlog) this.set(backlog.oldestAgeSeconds);
    },
  });
}
