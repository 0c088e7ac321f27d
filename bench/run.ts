/**
 * The benchmark suite: `scripts/bench` (or `bun bench/run.ts` with the servers up). Every figure is set against a reference measured
 * in the same run on the same machine, because these machines are shared and noisy. Each throughput figure
 * is the median of three runs after a warm-up; latency figures come from fixed-rate runs.
 * Writes bench/results/latest.{json,md,svg}.
 */
import { mkdir } from "node:fs/promises";
import { markdown, plain, type Row, svgChart } from "./lib/report.ts";
import { startStack } from "./lib/stack.ts";
import { eventLag } from "./scenarios/event-lag.ts";
import { authenticatedRoute, httpOverhead } from "./scenarios/http-overhead.ts";
import { login } from "./scenarios/login.ts";
import { postCreate } from "./scenarios/post-create.ts";
import { postsPage } from "./scenarios/posts-page.ts";
import { compileServices, startup } from "./scenarios/startup.ts";

const quick = process.argv.includes("--quick");
export const settings = { seconds: quick ? 2 : 5, runs: quick ? 1 : 3, connections: 64 };

const rows: Row[] = [];
const report = (row: Row) => {
  rows.push(row);
  console.log(`  ${row.scenario}: ${JSON.stringify(row)}`);
};

console.log(`bench: ${quick ? "quick" : "full"} run, ${settings.runs} x ${settings.seconds}s per figure`);
const stack = await startStack();
try {
  await httpOverhead(stack, settings, report);
  await authenticatedRoute(stack, settings, report);
  await postsPage(stack, settings, report);
  await postCreate(stack, settings, report);
  await eventLag(stack, settings, report);
  await login(stack, settings, report);
} finally {
  await stack.stop();
}
await startup(report, "source");
await compileServices();
await startup(report, "compiled");

console.log(`\n${plain(rows)}\n`);
const out = new URL("./results/", import.meta.url).pathname;
await mkdir(out, { recursive: true });
await Bun.write(`${out}latest.json`, JSON.stringify({ at: new Date().toISOString(), quick, rows }, null, 2));
await Bun.write(`${out}latest.md`, `${markdown(rows)}\n`);
await Bun.write(`${out}latest.svg`, svgChart(rows));
console.log(`bench: results in ${out}latest.{json,md,svg}`);
