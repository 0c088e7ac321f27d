import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestService, type TestService, testClient, testConfig } from "../testing/index.ts";

let service: TestService;
beforeAll(async () => {
  // This is about admission, not throttling: every login in flight counts against the account's and the
  // address's throttle until it succeeds, and here hundreds race for one account from one address.
  service = await startTestService(
    testConfig({ LOGIN_MAX_FAILURES_PER_ACCOUNT: "100000", LOGIN_MAX_FAILURES_PER_ADDRESS: "100000" }),
  );
});
afterAll(() => service[Symbol.asyncDispose]());

const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((values.length * p) / 100))] ?? 0;

describe("login under overload", () => {
  test("200 concurrent logins: the excess gets a fast 503 with Retry-After and /healthz keeps answering", async () => {
    const client = testClient(service);
    const { email, password } = await client.register();
    const healthTimes: number[] = [];
    let loading = true;
    const probeHealth = (async () => {
      while (loading) {
        const started = performance.now();
        expect((await fetch(new URL("/healthz", service.url))).status).toBe(200);
        healthTimes.push(performance.now() - started);
      }
    })();

    const started = performance.now();
    const results = await Promise.all(
      Array.from({ length: 200 }, async () => {
        const sent = performance.now();
        const res = await client.post("/api/auth/login", { email, password });
        return { status: res.status, retryAfter: res.headers.get("retry-after"), ms: performance.now() - sent };
      }),
    );
    const totalMs = performance.now() - started;
    loading = false;
    await probeHealth;

    const ok = results.filter((result) => result.status === 200);
    const rejected = results.filter((result) => result.status === 503);
    const ms = (value: number) => `${value.toFixed(1)} ms`;
    console.log(
      [
        `200 concurrent logins in ${ms(totalMs)} (hash concurrency ${service.config.PASSWORD_HASH_CONCURRENCY}, queue ${service.config.PASSWORD_HASH_QUEUE})`,
        `  accepted ${ok.length}: p50 ${ms(
          percentile(
            ok.map((r) => r.ms),
            50,
          ),
        )}, max ${ms(
          percentile(
            ok.map((r) => r.ms),
            100,
          ),
        )}`,
        `  rejected ${rejected.length} with 503: p50 ${ms(
          percentile(
            rejected.map((r) => r.ms),
            50,
          ),
        )}, p99 ${ms(
          percentile(
            rejected.map((r) => r.ms),
            99,
          ),
        )}`,
        `  /healthz during the load: ${healthTimes.length} probes, p50 ${ms(percentile(healthTimes, 50))}, max ${ms(percentile(healthTimes, 100))}`,
      ].join("\n"),
    );
    expect(ok.length + rejected.length).toBe(200);
    expect(ok.length).toBeGreaterThanOrEqual(service.config.PASSWORD_HASH_CONCURRENCY);
    expect(rejected.length).toBeGreaterThan(0);
    expect(rejected.every((result) => Number(result.retryAfter) >= 1)).toBe(true);
    expect(healthTimes.length).toBeGreaterThan(0);
  }, 60_000);
});
