/**
 * Scenario 4: `POST /api/posts` at full speed, with the cost of delivering each post's event counted: the
 * figure is posts whose `post.created` reached Kafka per second, from the first request to the last event.
 */

import { PostEvents } from "@chirp/contracts";
import { createKafka } from "@chirp/platform/kafka/client";
import { physicalName } from "@chirp/platform/kafka/topics";
import { createLogger } from "@chirp/platform/logger";
import { eventually } from "@chirp/platform/testing";
import { cpuPerItem, infraPids, measureCpu, percentBusy } from "../lib/cpu.ts";
import type { Row } from "../lib/report.ts";
import type { Stack } from "../lib/stack.ts";
import { wrk } from "../lib/wrk.ts";
import { registerUser, type Settings } from "./http-overhead.ts";

/** The sum of a topic's high-water marks: how many messages it has ever received. */
export async function messagesOn(stack: Stack, topic: string) {
  const kafka = createKafka({ clientId: "bench", brokers: stack.kafkaBrokers, logger: createLogger("bench", "warn") });
  const admin = kafka.admin();
  await admin.connect();
  try {
    const offsets = await admin.fetchTopicOffsets(topic);
    return offsets.reduce((sum, partition) => sum + Number(partition.high), 0);
  } finally {
    await admin.disconnect();
  }
}

export async function postCreate(stack: Stack, settings: Settings, report: (row: Row) => void) {
  const { token } = await registerUser(stack.auth.url, "Writer");
  const topic = physicalName(stack.env.KAFKA_TOPIC_PREFIX ?? "", PostEvents);
  const before = await messagesOn(stack, topic);
  const started = performance.now();
  // Until the last event is in Kafka; auth meanwhile consumes the events (activity log, post counts).
  const [[run, delivered], cpu] = await measureCpu(
    async () => {
      const run = await wrk({
        url: `${stack.post.url}/api/posts`,
        seconds: settings.seconds,
        connections: 16,
        headers: { authorization: `Bearer ${token}` },
        post: { method: "POST", body: JSON.stringify({ title: "Benchmark", content: "A post written by the bench." }) },
      });
      if (run.failures > 0) throw new Error(`${run.failures} POST /api/posts failed`);
      const delivered = await eventually(
        async () => (await messagesOn(stack, topic)) - before >= run.requests && performance.now(),
        { timeoutMs: 60_000, intervalMs: 20, what: `${run.requests} post.created events` },
      );
      return [run, delivered] as const;
    },
    { post: stack.post.pid, auth: stack.auth.pid, ...(await infraPids()) },
  );
  const perPost = cpuPerItem(cpu, Math.max(1, run.requests), ["post", "postgres", "kafka", "auth", "ferretdb"]);
  const seconds = (delivered - started) / 1000;
  report({
    scenario: "POST /api/posts, event delivered",
    rps: run.requests / seconds,
    p50Ms: run.p50Ms,
    p99Ms: run.p99Ms,
    goal: "report",
    note: `${run.requests} posts, ${run.requests} events; last event ${(seconds - settings.seconds).toFixed(2)} s after the load ended; ${percentBusy(cpu)}; CPU ms per post: ${perPost}`,
  });
}
