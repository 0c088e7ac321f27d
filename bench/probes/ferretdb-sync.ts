/**
 * What FerretDB's SQLite backend pays per write for syncing to disk: two throwaway FerretDB servers started
 * by `scripts/infra ferretdb-instance`, one with SQLite's default `synchronous` (FULL: the WAL is synced at
 * every commit, as the dev and CI stack runs it) and one with `synchronous(normal)` (synced at checkpoints
 * only), each timed on the same inserts and reads. Prints the figures; changes nothing.
 *
 *   bun bench/probes/ferretdb-sync.ts
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "@chirp/platform/testing";
import { MongoClient } from "mongodb";

const root = new URL("../..", import.meta.url).pathname;

async function timeEach(times: number, work: (i: number) => Promise<unknown>) {
  const started = performance.now();
  for (let i = 0; i < times; i++) await work(i);
  return (performance.now() - started) / times;
}

for (const [label, params] of [
  ["synchronous FULL (default)", ""],
  ["synchronous NORMAL", "?_pragma=synchronous(normal)"],
] as const) {
  const dir = await mkdtemp(join(tmpdir(), "ferretdb-sync-"));
  const port = freePort();
  const instance = (action: "start" | "stop") =>
    Bun.$`bash scripts/infra ferretdb-instance ${action} ${port} ${dir}`
      .cwd(root)
      .env({ ...process.env, FERRETDB_SQLITE_PARAMS: params, FERRETDB_LOG_LEVEL: "error" })
      .quiet();
  await instance("start");
  try {
    const client = await MongoClient.connect(
      `mongodb://127.0.0.1:${port}/probe?directConnection=true&retryWrites=false`,
    );
    const docs = client.db().collection<{ _id: string; n: number }>("docs");
    await docs.insertOne({ _id: "warm-up", n: 0 });
    const insertOne = await timeEach(300, (i) => docs.insertOne({ _id: `one-${i}`, n: i }));
    const insertMany = await timeEach(100, (i) =>
      docs.insertMany(
        Array.from({ length: 10 }, (_, j) => ({ _id: `many-${i}-${j}`, n: j })),
        { ordered: false },
      ),
    );
    const findOne = await timeEach(100, (i) => docs.findOne({ _id: `one-${i}` }));
    console.log(
      `${label}: insertOne ${insertOne.toFixed(2)} ms, insertMany(10) ${insertMany.toFixed(2)} ms, findOne by _id ${findOne.toFixed(2)} ms`,
    );
    await client.close();
  } finally {
    await instance("stop");
    await rm(dir, { recursive: true, force: true });
  }
}
