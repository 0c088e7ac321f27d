/** Test helpers shared by the services' integration tests. Never imported by service code. */

import { tmpdir } from "node:os";
import { Kafka, type KafkaMessage, logLevel } from "kafkajs";
import { createServiceApp, type ServiceAppOptions } from "./http.ts";
import { createLogger } from "./logger.ts";
import { createReadiness } from "./readiness.ts";

/**
 * Polls `probe` until it returns a value that is not undefined/false (or stops throwing), failing with the
 * last error after `timeoutMs`. For conditions that become true asynchronously: no fixed sleeps.
 */
export async function eventually<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  { timeoutMs = 15_000, intervalMs = 25, what = "condition" } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
      last = undefined;
    } catch (error) {
      last = error;
    }
    await Bun.sleep(intervalMs);
  }
  const reason = last instanceof Error ? `: ${last.message}` : "";
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${reason}`);
}

/** A name unique to this test run, for databases, topics and consumer groups. */
export function uniqueName(prefix: string) {
  return `${prefix}_${Date.now().toString(36)}_${Math.random().toString(36).slice(2, 8)}`;
}

/** Reads the first `count` messages of a topic with a throwaway consumer group. */
export async function readTopic(kafka: Kafka, topic: string, count: number, timeoutMs = 20_000) {
  const consumer = kafka.consumer({ groupId: uniqueName("reader"), maxWaitTimeInMs: 100 });
  const messages: KafkaMessage[] = [];
  try {
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      eachMessage: async ({ message }) => {
        messages.push(message);
      },
    });
    await eventually(() => messages.length >= count, { timeoutMs, what: `${count} messages on ${topic}` });
    return messages;
  } finally {
    await consumer.disconnect();
  }
}

const repoRoot = new URL("../..", import.meta.url).pathname;

/** A port nobody listens on right now (the OS picks it). */
export function freePort() {
  const listener = Bun.listen({ hostname: "127.0.0.1", port: 0, socket: { data() {} } });
  const { port } = listener;
  listener.stop(true);
  return port;
}

/**
 * A Kafka broker of the test's own (real, single node), for tests that stop and start Kafka without
 * disturbing the shared one. Started through the project's infra script; data in a temporary folder.
 */
export async function startThrowawayKafka() {
  const port = freePort();
  const controllerPort = freePort();
  const dir = `${tmpdir()}/chirp-kafka-${port}`;
  const run = async (action: "start" | "stop") => {
    const proc = Bun.spawn(["bash", "scripts/infra", "kafka-instance", action, `${port}`, `${controllerPort}`, dir], {
      cwd: repoRoot,
      stdout: "pipe",
      stderr: "pipe",
    });
    if ((await proc.exited) !== 0) {
      throw new Error(`kafka-instance ${action} failed: ${await new Response(proc.stderr).text()}`);
    }
  };
  await run("start");
  return {
    brokers: [`127.0.0.1:${port}`],
    start: () => run("start"),
    stop: () => run("stop"),
    async [Symbol.asyncDispose]() {
      await run("stop");
      await Bun.$`rm -rf ${dir}`.quiet();
    },
  };
}

/**
 * What every test instance of a service sets: any free port on loopback, quiet logs (`TEST_LOG_LEVEL` to see
 * them), and a Kafka topic prefix and consumer group of its own, so instances on other prefixes neither see
 * its events nor rebalance its group.
 */
export function testServiceEnv(service: string) {
  return {
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
    KAFKA_TOPIC_PREFIX: `${uniqueName(service)}.`,
    KAFKA_GROUP_ID: uniqueName(`${service}_group`),
  };
}

/** The same server's URL naming another database (the URL's path), so each run has databases of its own. */
export function withDatabase(url: string, database: string) {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.href;
}

/**
 * Deletes the topics under `prefix` (a test service's or a bench run's own). Left behind, they pile up on a
 * shared broker, and every service start lists them all (auth's cold start went from 1.2 to 0.7 s once
 * ~2,700 leftover topics were deleted). Best effort: a broker that is gone (a test stopped it) leaves
 * nothing to clean, so errors are ignored; the request gives up after 5 s.
 */
export async function deleteTopicsUnder(brokers: string[], prefix: string) {
  const kafka = new Kafka({
    clientId: "cleanup",
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1000,
    retry: { retries: 1 },
  });
  const admin = kafka.admin();
  try {
    await admin.connect();
    const topics = (await admin.listTopics()).filter((topic) => topic.startsWith(prefix));
    if (topics.length > 0) await admin.deleteTopics({ topics, timeout: 5000 });
  } catch {
    // Nothing to clean on a broker that is not there.
  } finally {
    await admin.disconnect().catch(() => {});
  }
}

/** A service app for tests of the shared HTTP layer: silent logs, a 1 KiB body limit, always ready. */
export function testServiceApp(options: Partial<ServiceAppOptions> = {}) {
  return createServiceApp({
    service: "test",
    version: "1.0.0",
    logger: createLogger("test", "silent"),
    bodyLimitBytes: 1024,
    readiness: createReadiness({}),
    ...options,
  });
}
