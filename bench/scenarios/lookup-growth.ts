/**
 * Cost growth of a lookup by a unique field on the MongoDB-wire server the services use (the local default:
 * FerretDB on PostgreSQL with GIN companions): the auth user store's `findByEmail` and `findById` against
 * collections of 1k, 10k and 100k users, medians of many random keys. Goal: 100k within 1.5x of 1k.
 */

import { collections, createEventOutbox, createMongoUserStore, ensureIndexes } from "@chirp/auth/testing";
import { uniqueName } from "@chirp/platform/testing";
import { MongoClient } from "mongodb";
import type { Row } from "../lib/report.ts";

const sizes = [1_000, 10_000, 100_000];
const samples = 300;

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? Number.NaN;
const p99 = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * 0.99))] ?? Number.NaN;

async function timed(lookup: (n: number) => Promise<unknown>, size: number) {
  const times: number[] = [];
  for (let i = 0; i < samples; i++) {
    const n = Math.floor(Math.random() * size);
    const started = performance.now();
    if (!(await lookup(n))) throw new Error(`lookup of user ${n} found nothing`);
    times.push(performance.now() - started);
  }
  return { p50: median(times), p99: p99(times) };
}

export async function lookupGrowth(report: (row: Row) => void) {
  const base = new URL(process.env.MONGO_URL ?? "mongodb://127.0.0.1:27017/?directConnection=true&retryWrites=false");
  const figures: Record<string, { p50: number; p99: number }[]> = { email: [], id: [] };
  for (const size of sizes) {
    base.pathname = `/${uniqueName("bench_lookups")}`;
    const client = await MongoClient.connect(base.href);
    const db = client.db();
    try {
      await ensureIndexes(db);
      const users = db.collection<{ _id: string }>(collections.users);
      for (let start = 0; start < size; start += 1_000) {
        await users.insertMany(
          Array.from({ length: 1_000 }, (_, i) => {
            const n = start + i;
            const at = new Date();
            return {
              _id: `user-${n}`,
              email: `user${n}@example.com`,
              name: `User ${n}`,
              bio: "",
              createdAt: at,
              updatedAt: at,
            };
          }),
        );
      }
      const store = createMongoUserStore(db, createEventOutbox(db, 60_000));
      await timed((n) => store.findByEmail(`user${n}@example.com`), size); // warm-up
      figures.email?.push(await timed((n) => store.findByEmail(`user${n}@example.com`), size));
      figures.id?.push(await timed((n) => store.findById(`user-${n}`), size));
      console.log(
        `  lookups at ${size} users: ${JSON.stringify({ email: figures.email?.at(-1), id: figures.id?.at(-1) })}`,
      );
    } finally {
      await db.dropDatabase();
      await client.close();
    }
  }
  for (const [key, label] of [
    ["email", "by e-mail"],
    ["id", "by _id"],
  ] as const) {
    const [small, , large] = figures[key] ?? [];
    if (!small || !large) continue;
    const growth = large.p50 / small.p50;
    report({
      scenario: `user lookup ${label} at 100k users vs 1k`,
      p50Ms: large.p50,
      p99Ms: large.p99,
      reference: "p50 at 1k users (ms)",
      referenceValue: small.p50,
      ratio: growth,
      goal: "<= 1.5x",
      pass: growth <= 1.5,
      note: `p50 at 1k / 10k / 100k: ${(figures[key] ?? []).map((f) => f.p50.toFixed(2)).join(" / ")} ms; ${samples} random keys each`,
    });
  }
}
