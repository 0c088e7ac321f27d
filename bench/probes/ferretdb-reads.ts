/**
 * Which reads FerretDB's SQLite backend answers by lookup and which by reading the whole collection: each
 * query timed (FerretDB's CPU and wall time) on collections of 1,000 and 10,000 documents. A lookup costs the
 * same at both sizes; a scan costs ten times more at the second. On v1.24 only equality on `_id` is a
 * lookup (and a query whose `limit` is met early stops early); `$in` on `_id`, ranges, other fields and
 * anything sorted read every document. Needs `scripts/infra up`; prints the figures, changes nothing.
 *
 *   bun bench/probes/ferretdb-reads.ts
 */
import { MongoClient } from "mongodb";
import { infraPids, measureCpu } from "../lib/cpu.ts";

const url = process.env.MONGO_URL ?? "mongodb://127.0.0.1:27017/chirp_probe?directConnection=true&retryWrites=false";
const { ferretdb } = await infraPids();
if (ferretdb === undefined) throw new Error("no local FerretDB running: scripts/infra up");
const client = await MongoClient.connect(url);
const db = client.db();
const REPEAT = 20;

try {
  for (const size of [1_000, 10_000]) {
    const docs = db.collection<{ _id: string; userId: string; status: string }>(`probe_reads_${size}`);
    await docs.drop().catch(() => {});
    await docs.createIndex({ userId: 1 });
    for (let start = 0; start < size; start += 1_000) {
      await docs.insertMany(
        Array.from({ length: 1_000 }, (_, i) => ({
          _id: `u${(start + i) % 500}:p${start + i}`,
          userId: `u${(start + i) % 500}`,
          status: "sent",
        })),
      );
    }
    const queries: [string, () => Promise<unknown>][] = [
      ["findOne by _id", () => docs.findOne({ _id: "u7:p7" })],
      ["updateOne by _id", () => docs.updateOne({ _id: "u7:p7" }, { $set: { status: "sent" } })],
      ["find _id $in (2 ids)", () => docs.find({ _id: { $in: ["u7:p7", "u8:p8"] } }).toArray()],
      ["count _id range", () => docs.countDocuments({ _id: { $gte: "u7:", $lt: "u7;" } })],
      ["count userId (indexed)", () => docs.countDocuments({ userId: "u7" })],
      ["find userId, limit 1 (met early)", () => docs.find({ userId: "u7" }).limit(1).toArray()],
      ["find status, limit 50 (no match)", () => docs.find({ status: "pending" }).limit(50).toArray()],
    ];
    for (const [name, query] of queries) {
      const started = performance.now();
      const [, cpu] = await measureCpu(
        async () => {
          for (let i = 0; i < REPEAT; i++) await query();
        },
        { ferretdb },
      );
      const cpuMs = (((cpu.seconds.ferretdb ?? 0) * 1000) / REPEAT).toFixed(1);
      const wallMs = ((performance.now() - started) / REPEAT).toFixed(1);
      console.log(`${String(size).padStart(6)} docs  ${name.padEnd(34)} FerretDB CPU ${cpuMs} ms, wall ${wallMs} ms`);
    }
    await docs.drop();
  }
} finally {
  await client.close();
}
