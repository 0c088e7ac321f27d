/**
 * The benchmark suite: `scripts/bench` (or `bun bench/run.ts` with the servers up). Every figure is set against a reference measured
 * in the same run on the same machine, because these machines are shared and noisy. Each throughput figure
 * is the median of three runs after a warm-up; latency figures come from fixed-rate runs.
 * Writes bench/results/latest.{json,md,svg}; `--only NAME[,NAME]` runs some scenarios and writes nothing.
 */
import { mkdir } from "node:fs/promises";
import { parseArgs } from "node:util";
import { settle } from "./lib/cpu.ts";
import { markdown, plain, type Row, svgChart } from "./lib/report.ts";
import { type Stack, startStack } from "./lib/stack.ts";
import { eventLag } from "./scenarios/event-lag.ts";
import { forgotPassword } from "./scenarios/forgot-password.ts";
import { authenticatedRoute, httpOverhead } from "./scenarios/http-overhead.ts";
import { login } from "./scenarios/login.ts";
import { lookupGrowth } from "./scenarios/lookup-growth.ts";
import { postCreate } from "./scenarios/post-create.ts";
import { postsPage } from "./scenarios/posts-page.ts";
import { compileServices, startup } from "./scenarios/startup.ts";

const { values: args } = parseArgs({ options: { quick: { type: "boolean" }, only: { type: "string" } } });
const quick = args.quick ?? false;
export const settings = { seconds: quick ? 2 : 5, runs: quick ? 1 : 3, connections: 64 };
type Report = (row: Row) => void;

/** Scenarios against one running stack, in order. */
const onStack: Record<string, (stack: Stack, s: typeof settings, report: Report) => Promise<void>> = {
  healthz: httpOverhead,
  whoami: authenticatedRoute,
  "posts-page": postsPage,
  "post-create": postCreate,
  login,
  "forgot-password": forgotPassword,
  // Last: its 30,000 registrations leave the auth service welcome e-mails to send for a long while after.
  "event-lag": eventLag,
};
/** Scenarios that start services of their own. */
const standalone: Record<string, (report: Report) => Promise<void>> = {
  startup: async (report) => {
    await startup(report, "source");
    await compileServices();
    await startup(report, "compiled");
    await startup(report, "bytecode");
  },
  // Its own databases on the MongoDB-wire server: 111k users inserted, then looked up.
  "lookup-growth": lookupGrowth,
  // The images under podman: scripts/bench sets BENCH_CONTAINERS=1 once it has built them (scripts/images).
  "startup-container": async (report) => {
    if (process.env.BENCH_CONTAINERS !== "1") {
      console.log("bench: startup-container skipped: BENCH_CONTAINERS is not 1 (podman cannot run here)");
      return;
    }
    await startup(report, "container");
  },
};

const only = args.only?.split(",");
const unknown = only?.filter((name) => !(name in onStack) && !(name in standalone)) ?? [];
if (unknown.length > 0) {
  console.error(
    `bench: unknown scenario ${unknown.join(", ")}; known: ${[...Object.keys(onStack), ...Object.keys(standalone)].join(", ")}`,
  );
  process.exit(2);
}
const chosen = (names: string[]) => names.filter((name) => !only || only.includes(name));

/** Lets the machine calm down after the previous scenario, and says so when it would not. */
async function settleBefore(name: string) {
  const busy = await settle();
  if (busy >= 0.2) console.log(`bench: the machine is still ${(busy * 100).toFixed(0)}% busy before ${name}`);
}

const rows: Row[] = [];
const report: Report = (row) => {
  rows.push(row);
  console.log(`  ${row.scenario}: ${JSON.stringify(row)}`);
};

console.log(`bench: ${quick ? "quick" : "full"} run, ${settings.runs} x ${settings.seconds}s per figure`);
const stackScenarios = chosen(Object.keys(onStack));
if (stackScenarios.length > 0) {
  const stack = await startStack();
  try {
    for (const name of stackScenarios) {
      await settleBefore(name);
      await onStack[name]?.(stack, settings, report);
    }
  } finally {
    await stack.stop();
  }
}
for (const name of chosen(Object.keys(standalone))) await standalone[name]?.(report);

console.log(`\n${plain(rows)}\n`);
if (!only) {
  const out = new URL("./results/", import.meta.url).pathname;
  await mkdir(out, { recursive: true });
  await Bun.write(`${out}latest.json`, JSON.stringify({ at: new Date().toISOString(), quick, rows }, null, 2));
  await Bun.write(`${out}latest.md`, `${markdown(rows)}\n`);
  await Bun.write(`${out}latest.svg`, svgChart(rows));
  console.log(`bench: results in ${out}latest.{json,md,svg}`);
}
