/**
 * Scenario 3: `GET /api/posts?limit=20` with authors joined, 100,000 posts, against raw Bun.serve + raw
 * postgres.js running the same statement; p99 at 80% of the service's max rate (fixed-rate client);
 * a page at depth 100,000 against page 1.
 */

import { encodeCursor } from "@chirp/platform/paging";
import { freePort } from "@chirp/platform/testing";
import postgres from "postgres";
import { measureCpu, percentBusy, settle } from "../lib/cpu.ts";
import { openLoop } from "../lib/open-loop.ts";
import { startProcess } from "../lib/processes.ts";
import { median, type Row } from "../lib/report.ts";
import type { Stack } from "../lib/stack.ts";
import { compare, comparisonRow, type Settings } from "./http-overhead.ts";

export const POSTS = 100_000;
const AUTHORS = 1_000;

/** Seeds authors and posts in one statement each (seconds, not minutes), one post per millisecond. */
export async function seedPosts(databaseUrl: string) {
  const sql = postgres(databaseUrl, { max: 1, onnotice: () => {} });
  try {
    await sql`insert into authors (id, name, bio, updated_at)
      select 'author-' || g, 'Author ' || g, '', now() from generate_series(1, ${AUTHORS}) g`;
    await sql`insert into posts (id, author_id, title, content, created_at, updated_at)
      select gen_random_uuid(), 'author-' || (g % ${AUTHORS} + 1), 'Post number ' || g,
             repeat('Lorem ipsum dolor sit amet. ', 10),
             now() - make_interval(secs => g / 1000.0), now() - make_interval(secs => g / 1000.0)
      from generate_series(1, ${POSTS}) g`;
    // Vacuumed and checkpointed, not only analysed: otherwise the first measurement after seeding shares
    // the machine with autovacuum, hint-bit writes and the checkpoint the seeding's WAL brings on (page 1
    // measured 1,805-2,175/s then, 2,719-3,056/s minutes later).
    await sql`vacuum analyze posts`;
    await sql`vacuum analyze authors`;
    await sql`checkpoint`;
    // The cursor of the post just before the last page: the deepest page a client can ask for.
    const [deep] = await sql<{ created_at: Date; id: string }[]>`
      select created_at, id from posts order by created_at desc, id desc offset ${POSTS - 21} limit 1`;
    if (!deep) throw new Error("seeding left no posts");
    return encodeCursor({ at: deep.created_at, id: deep.id });
  } finally {
    await sql.end();
  }
}

export async function postsPage(stack: Stack, settings: Settings, report: (row: Row) => void) {
  const deepCursor = await seedPosts(stack.databaseUrl);
  await settle();
  const port = freePort();
  await using reference = await startProcess(
    ["bun", "bench/references/posts-page.ts"],
    { PORT: `${port}`, DATABASE_URL: stack.databaseUrl },
    `http://127.0.0.1:${port}`,
    "/api/posts?limit=20",
  );
  const base = { seconds: settings.seconds, connections: settings.connections };
  const page1 = `/api/posts?limit=20`;
  const result = await compare(
    { ...base, url: stack.post.url + page1 },
    { ...base, url: reference.url + page1 },
    settings,
  );
  report(comparisonRow("GET /api/posts limit=20 (100k posts)", result, "Bun.serve+postgres.js", 0.8));

  const deep = await compare(
    { ...base, url: `${stack.post.url}/api/posts?limit=20&cursor=${deepCursor}` },
    { ...base, url: stack.post.url + page1 },
    settings,
  );
  report({
    scenario: "page at depth 100k vs page 1",
    rps: deep.rps,
    p50Ms: deep.p50Ms,
    p99Ms: deep.p99Ms,
    reference: "page 1",
    referenceValue: deep.referenceRps,
    ratio: deep.rps / deep.referenceRps,
    goal: ">= 0.83 (within 1.2x)",
    pass: deep.rps / deep.referenceRps >= 1 / 1.2,
  });

  // The reference takes the same fixed-rate client at 80% of its own maximum: what this machine gives a
  // page server that does nothing but run the statement, with the client sharing its cores. Runs alternate,
  // as in `compare`, and each figure is the median of `settings.runs`.
  const atEightyPercent = (url: string, maxRps: number) =>
    measureCpu(() =>
      openLoop({
        rate: Math.round(maxRps * 0.8),
        seconds: settings.seconds,
        request: () => new Request(url + page1),
        expect: (status) => status === 200,
      }),
    );
  const rounds = [];
  for (let i = 0; i < settings.runs; i++) {
    const [service, use] = await atEightyPercent(stack.post.url, result.rps);
    const [raw] = await atEightyPercent(reference.url, result.referenceRps);
    rounds.push({ service, use, raw });
  }
  const fixed = {
    sent: rounds.reduce((sum, { service }) => sum + service.sent, 0),
    failures: rounds.reduce((sum, { service }) => sum + service.failures, 0),
    p50Ms: median(rounds.map(({ service }) => service.p50Ms)),
    p99Ms: median(rounds.map(({ service }) => service.p99Ms)),
  };
  const cpu = { busy: median(rounds.map(({ use }) => use.busy)), seconds: {} };
  const raw = {
    p50Ms: median(rounds.map((round) => round.raw.p50Ms)),
    p99Ms: median(rounds.map((round) => round.raw.p99Ms)),
  };
  report({
    scenario: `GET /api/posts at 80% of max (${Math.round(result.rps * 0.8)}/s fixed rate)`,
    rps: (fixed.sent - fixed.failures) / (settings.seconds * settings.runs),
    p50Ms: fixed.p50Ms,
    p99Ms: fixed.p99Ms,
    reference: "raw p99 at 80% of its max (ms)",
    referenceValue: raw.p99Ms,
    goal: "p99 <= 10 ms",
    pass: fixed.failures === 0 && fixed.p99Ms <= 10,
    note: `${fixed.failures > 0 ? `${fixed.failures} failed` : `${fixed.sent} requests, all 200`}; ${percentBusy(cpu)}; raw p50 ${raw.p50Ms.toFixed(1)} ms`,
  });
}
