/**
 * Scenario 5: login with production hashing (argon2id m=19 MiB, t=2). The reference is the machine's own
 * hashing speed, measured in the same run: 0.8 x cores / (time of one verify). Then 5x that rate, fixed:
 * the excess must be refused fast (503 + Retry-After), while `GET /api/posts` keeps its latency.
 */
import { availableParallelism } from "node:os";
import { argon2Params } from "@chirp/auth/testing";
import { cpuPerItem, infraPids, measureCpu, percentBusy } from "../lib/cpu.ts";
import { openLoop, percentile } from "../lib/open-loop.ts";
import { median, type Row } from "../lib/report.ts";
import type { Stack } from "../lib/stack.ts";
import { wrk } from "../lib/wrk.ts";
import { registerUser, type Settings, startHello } from "./http-overhead.ts";

const PASSWORD = "correct horse battery staple";

async function hashSeconds() {
  const hash = await Bun.password.hash(PASSWORD, argon2Params);
  const times: number[] = [];
  for (let i = 0; i < 15; i++) {
    const start = performance.now();
    await Bun.password.verify(PASSWORD, hash);
    times.push((performance.now() - start) / 1000);
  }
  return median(times);
}

/** Fixed-rate GET /api/posts latencies, optionally while `load` runs. */
async function postsLatency(stack: Stack, seconds: number, load?: Promise<unknown>) {
  const run = openLoop({
    rate: 50,
    seconds,
    request: () => new Request(`${stack.post.url}/api/posts?limit=20`),
    expect: (status) => status === 200,
  });
  const [result] = await Promise.all([run, load]);
  return result;
}

export async function login(stack: Stack, settings: Settings, report: (row: Row) => void) {
  const { email } = await registerUser(stack.auth.url, "Login");
  const body = JSON.stringify({ email, password: PASSWORD });
  const cores = availableParallelism();
  const oneHash = await hashSeconds();
  const ceiling = (0.8 * cores) / oneHash;

  const [closed, cpu] = await measureCpu(
    () =>
      wrk({
        url: `${stack.auth.url}/api/auth/login`,
        seconds: settings.seconds,
        connections: cores * 2,
        post: { method: "POST", body },
      }),
    { auth: stack.auth.pid, ...(await infraPids()) },
  );
  // Where the CPU of one login goes: each process's CPU time during the run over the logins it served.
  const perLogin = cpuPerItem(cpu, Math.max(1, closed.requests), ["auth", "ferretdb", "kafka"]);
  report({
    scenario: "POST /api/auth/login (argon2id)",
    rps: closed.rps,
    p50Ms: closed.p50Ms,
    p99Ms: closed.p99Ms,
    reference: `0.8 x ${cores} cores / ${(oneHash * 1000).toFixed(1)} ms`,
    referenceValue: ceiling,
    ratio: closed.rps / ceiling,
    goal: ">= 1.0 of that",
    pass: closed.failures === 0 && closed.rps >= ceiling,
    note: `${closed.failures > 0 ? `${closed.failures} non-200; ` : ""}${percentBusy(cpu)}; CPU ms per login: ${perLogin} (auth's includes the hash)`,
  });

  await using hello = await startHello();
  const unloaded = await postsLatency(stack, settings.seconds);
  const rejected: number[] = [];
  const overload = openLoop({
    rate: Math.max(10, Math.round(5 * (cores / oneHash))),
    seconds: settings.seconds,
    request: () =>
      new Request(`${stack.auth.url}/api/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      }),
    expect: (status) => status === 200 || status === 503,
    onResponse: (status, ms) => {
      if (status === 503) rejected.push(ms);
    },
  });
  // The machine's own floor meanwhile: a raw Bun.serve hello in a process of its own, asked at the same rate.
  const floor = openLoop({
    rate: 50,
    seconds: settings.seconds,
    request: () => new Request(hello.url),
    expect: (status) => status === 200,
  });
  const loaded = await postsLatency(stack, settings.seconds, overload);
  const [flood, raw] = await Promise.all([overload, floor]);
  rejected.sort((a, b) => a - b);
  const rejectP99 = percentile(rejected, 99);
  report({
    scenario: "login at 5x capacity: refusals",
    rps: flood.sent / settings.seconds,
    p50Ms: percentile(rejected, 50),
    p99Ms: rejectP99,
    reference: "raw hello p99 meanwhile (ms)",
    referenceValue: raw.p99Ms,
    goal: "refused in < 5 ms",
    pass: flood.failures === 0 && rejected.length > 0 && rejectP99 < 5,
    note: `${flood.statuses[200] ?? 0} logged in, ${rejected.length} refused (503), ${flood.failures} other`,
  });
  report({
    scenario: "GET /api/posts p99 during login overload",
    p50Ms: loaded.p50Ms,
    p99Ms: loaded.p99Ms,
    reference: "unloaded p99 (ms)",
    referenceValue: unloaded.p99Ms,
    ratio: loaded.p99Ms / unloaded.p99Ms,
    goal: "<= 2x unloaded",
    pass: loaded.failures === 0 && loaded.p99Ms <= 2 * unloaded.p99Ms,
  });
}
