/**
 * `GET /api/posts/:id` on a stack of its own: requests per second and the CPU each costs the post service and
 * PostgreSQL, three rounds of 5 s (16 connections, after a 2 s warm-up). Prints the figures; changes nothing.
 *
 *   bun bench/probes/post-by-id.ts      (the servers must be up: scripts/infra up)
 */
import { cpuPerItem, infraPids, measureCpu } from "../lib/cpu.ts";
import { startStack } from "../lib/stack.ts";
import { wrk } from "../lib/wrk.ts";
import { registerUser } from "../scenarios/http-overhead.ts";

const stack = await startStack();
try {
  const { token } = await registerUser(stack.auth.url, "Reader");
  const created = await fetch(`${stack.post.url}/api/posts`, {
    method: "POST",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: JSON.stringify({ title: "Read often", content: "One post, asked for by id." }),
  });
  if (created.status !== 201) throw new Error(`POST /api/posts answered ${created.status}`);
  const url = `${stack.post.url}/api/posts/${((await created.json()) as { id: string }).id}`;
  await wrk({ url, seconds: 2, connections: 16 });
  for (let round = 1; round <= 3; round++) {
    const [run, cpu] = await measureCpu(() => wrk({ url, seconds: 5, connections: 16 }), {
      post: stack.post.pid,
      ...(await infraPids()),
    });
    if (run.failures > 0) throw new Error(`${run.failures} requests did not answer 200`);
    const perRequest = cpuPerItem(cpu, run.requests, ["post", "postgres"]);
    console.log(
      `round ${round}: ${run.rps.toFixed(0)}/s, p50 ${run.p50Ms.toFixed(2)} ms; CPU ms per request: ${perRequest}`,
    );
  }
} finally {
  await stack.stop();
}
