/**
 * Scenario 1: `GET /healthz` through the full middleware stack against a raw `Bun.serve` hello.
 * Scenario 2: an authenticated route with no database work (`GET /api/whoami` on post: JWT verified against
 * auth's JWKS, revocation checked in memory) against the same hello.
 */

import { freePort } from "@chirp/platform/testing";
import { settle } from "../lib/cpu.ts";
import { startProcess } from "../lib/processes.ts";
import { median, type Row } from "../lib/report.ts";
import type { Stack } from "../lib/stack.ts";
import { wrk } from "../lib/wrk.ts";

export interface Settings {
  seconds: number;
  runs: number;
  connections: number;
}

/** Alternates target and reference runs, so drift in the machine's load hits both alike. */
export async function compare(
  target: Parameters<typeof wrk>[0],
  reference: Parameters<typeof wrk>[0],
  settings: Settings,
) {
  await wrk({ ...target, seconds: 1 });
  await wrk({ ...reference, seconds: 1 });
  const targets = [];
  const references = [];
  for (let i = 0; i < settings.runs; i++) {
    targets.push(await wrk(target));
    references.push(await wrk(reference));
  }
  const failures = [...targets, ...references].reduce((sum, run) => sum + run.failures, 0);
  if (failures > 0) throw new Error(`${failures} requests failed or had an unexpected status`);
  return {
    rps: median(targets.map((run) => run.rps)),
    p50Ms: median(targets.map((run) => run.p50Ms)),
    p99Ms: median(targets.map((run) => run.p99Ms)),
    referenceRps: median(references.map((run) => run.rps)),
  };
}

/** A floor measured for comparison, not held to a goal: the row of `result` with no goal of its own. */
function floorRow(scenario: string, result: Awaited<ReturnType<typeof compare>>): Row {
  return { ...comparisonRow(scenario, result, "raw Bun.serve", 0), goal: "reference", pass: undefined };
}

/** A row for a throughput compared with its same-run reference, met at `minRatio` or more. */
export function comparisonRow(
  scenario: string,
  result: Awaited<ReturnType<typeof compare>>,
  reference: string,
  minRatio: number,
): Row {
  const ratio = result.rps / result.referenceRps;
  return {
    scenario,
    rps: result.rps,
    p50Ms: result.p50Ms,
    p99Ms: result.p99Ms,
    reference,
    referenceValue: result.referenceRps,
    ratio,
    goal: `>= ${minRatio}`,
    pass: ratio >= minRatio,
  };
}

export async function startHello() {
  const port = freePort();
  return startProcess(["bun", "bench/references/hello.ts"], { PORT: `${port}` }, `http://127.0.0.1:${port}`);
}

/**
 * A bare Hono app serving /healthz: the ceiling for any stack built on the framework; with `requestId`, also
 * setting the `x-request-id` every response must carry (the ceiling for any stack that meets the spec).
 */
async function startBareHono(requestId = false) {
  const port = freePort();
  return startProcess(
    ["bun", "bench/references/hono.ts"],
    { PORT: `${port}`, REQUEST_ID: requestId ? "1" : "0" },
    `http://127.0.0.1:${port}`,
    "/healthz",
  );
}

export async function httpOverhead(stack: Stack, settings: Settings, report: (row: Row) => void) {
  await using hello = await startHello();
  await using hono = await startBareHono();
  const base = { seconds: settings.seconds, connections: settings.connections };
  const framework = await compare({ ...base, url: `${hono.url}/healthz` }, { ...base, url: hello.url }, settings);
  report(floorRow("bare Hono GET /healthz (framework floor)", framework));
  await using honoWithId = await startBareHono(true);
  const spec = await compare({ ...base, url: `${honoWithId.url}/healthz` }, { ...base, url: hello.url }, settings);
  report(floorRow("bare Hono + x-request-id (spec floor)", spec));
  for (const [service, url] of [
    ["auth", stack.auth.url],
    ["post", stack.post.url],
  ] as const) {
    const result = await compare({ ...base, url: `${url}/healthz` }, { ...base, url: hello.url }, settings);
    report(comparisonRow(`${service} GET /healthz`, result, "raw Bun.serve", 0.85));
  }
}

/** Registers a user through the real auth service and returns their access token. */
export async function registerUser(authUrl: string, name = "Bench") {
  const email = `${name.toLowerCase()}-${crypto.randomUUID().slice(0, 8)}@example.com`;
  const res = await fetch(`${authUrl}/api/auth/register`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ name, email, password: "correct horse battery staple" }),
  });
  if (res.status !== 201) throw new Error(`register answered ${res.status}: ${await res.text()}`);
  const body = (await res.json()) as { accessToken: string; user: { id: string } };
  return { token: body.accessToken, userId: body.user.id, email };
}

export async function authenticatedRoute(stack: Stack, settings: Settings, report: (row: Row) => void) {
  await using hello = await startHello();
  const { token } = await registerUser(stack.auth.url);
  // The registration's aftermath (its events consumed by both services, the welcome e-mail sent) is not the
  // route's cost: measured once the machine is quiet again.
  await settle();
  const base = { seconds: settings.seconds, connections: settings.connections };
  const headers = { authorization: `Bearer ${token}` };
  await using honoWithId = await startBareHono(true);
  const spec = await compare(
    { ...base, url: `${honoWithId.url}/api/whoami`, headers },
    { ...base, url: hello.url },
    settings,
  );
  report(floorRow("bare Hono whoami + x-request-id (spec floor)", spec));
  const result = await compare(
    { ...base, url: `${stack.post.url}/api/whoami`, headers },
    { ...base, url: hello.url },
    settings,
  );
  report(comparisonRow("post GET /api/whoami (bearer, no DB)", result, "raw Bun.serve", 0.6));
}
