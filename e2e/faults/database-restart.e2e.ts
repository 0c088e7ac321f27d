/**
 * Fault 5: PostgreSQL (post's database), or the MongoDB-wire server (auth's), restarted under load.
 * During each outage the affected service's readyz says which dependency is down and its requests fail
 * fast with a problem document (no request waits out the client's deadline); afterwards both serve again
 * without being restarted, and the event flow that crossed the outage is complete.
 */
import { expect, test } from "bun:test";
import { UserEvents } from "@chirp/contracts";
import { eventually } from "@chirp/platform/testing";
import { authorsProjection } from "../lib/checks.ts";
import { type Account, createClient, type Reply, Tally } from "../lib/client.ts";
import { startLoad } from "../lib/load.ts";
import { startPrivateFerret, startPrivatePostgres } from "../lib/private-servers.ts";
import { waitForReadiness } from "../lib/readiness.ts";
import { recordResult } from "../lib/results.ts";
import { settled } from "../lib/settle.ts";
import { startStack } from "../lib/stack.ts";
import { latencySummary } from "../lib/stats.ts";
import { openTopics } from "../lib/topics.ts";

type Phase = "before" | "postgres-down" | "postgres-back" | "mongo-down" | "mongo-back";
interface Seen extends Reply {
  /** The phase when the answer came; `sentIn` the phase when the request left. */
  phase: Phase;
  sentIn: Phase;
  service: "auth" | "post";
}

/** The deadline of each request: an answer slower than this counts as a hang. */
const deadlineMs = 8000;

async function restartUnderLoad(which: "postgres" | "mongodb") {
  await using pg = await startPrivatePostgres();
  await using mongo = await startPrivateFerret();
  await using stack = await startStack({ postgresUrl: pg.url, mongoUrl: mongo.url });
  await using topics = await openTopics(stack.brokers, stack.prefix);
  const pids = { auth: stack.auth.pid(), post: stack.post.pid() };
  const tally = new Tally();
  const auth = createClient(stack.auth.url, tally);
  const post = createClient(stack.post.url, tally);
  const accounts: Account[] = [];
  for (let i = 0; i < 3; i++) accounts.push(await auth.register(`Load ${i}`));
  const registered = accounts.map((a) => a.id);

  let phase: Phase = "before";
  const seen: Seen[] = [];
  // A request belongs to a phase only if it left and came back within it: one that straddles a stop or a
  // start may fail without the service being at fault outside the outage.
  const note = async (service: "auth" | "post", call: () => Promise<Reply>) => {
    const sentIn = phase;
    const reply = await call();
    seen.push({ ...reply, phase, sentIn, service });
    return reply;
  };
  const timeoutMs = deadlineMs;
  const load = startLoad(
    3,
    async (worker) => {
      const account = accounts[worker] as Account;
      await note("post", () => post.call("GET", "/api/posts?limit=20", { timeoutMs }));
      await note("post", () =>
        post.call("POST", "/api/posts", { body: { title: "t", content: "c" }, token: account.accessToken, timeoutMs }),
      );
      await note("auth", () => auth.call("GET", "/api/users/me", { token: account.accessToken, timeoutMs }));
      const email = `${crypto.randomUUID()}@example.com`;
      const reg = await note("auth", () =>
        auth.call("POST", "/api/auth/register", {
          body: { name: "Reg", email, password: "correct horse battery" },
          timeoutMs,
        }),
      );
      if (reg.status === 201) registered.push(reg.body.user.id);
    },
    { maxStepsPerWorker: 400 },
  );
  const countIn = (p: Phase, service: "auth" | "post") =>
    seen.filter((s) => s.phase === p && s.service === service).length;
  await eventually(() => countIn("before", "post") >= 12, { timeoutMs: 30_000 });

  async function outage(
    server: typeof pg,
    service: typeof stack.post,
    check: "postgres" | "mongodb",
    down: Phase,
    back: Phase,
  ) {
    const name = service.name;
    phase = down;
    await server.stop();
    const report = await waitForReadiness(service.url, 503);
    expect(report.checks[check]).not.toBe("ok");
    await eventually(() => countIn(down, name) >= 12, {
      timeoutMs: 60_000,
      what: `12 ${name} requests during the outage`,
    });
    await server.start();
    await waitForReadiness(service.url, 200, 60_000);
    phase = back;
    await eventually(() => seen.filter((s) => s.phase === back && s.service === name && s.status < 300).length >= 12, {
      timeoutMs: 60_000,
      what: `${name} serving again`,
    });
    return report.checks[check];
  }
  const report =
    which === "postgres"
      ? await outage(pg, stack.post, "postgres", "postgres-down", "postgres-back")
      : await outage(mongo, stack.auth, "mongodb", "mongo-down", "mongo-back");
  await load.stop();
  expect(load.errors).toEqual([]);

  // No hangs: every request answered before its deadline; failures are 503 problem documents that say when to
  // retry (the API's convention: an outage is never a 500).
  const failures = seen.filter((s) => s.status >= 400);
  const hung = seen.filter((s) => s.status === 0);
  if (hung.length > 0) console.log("hung", hung);
  expect(hung).toEqual([]);
  const retryAfter = (s: Seen) => (Number(s.headers.get("retry-after")) > 0 ? "with Retry-After" : "without");
  expect([...new Set(failures.map((s) => `${s.status} ${retryAfter(s)}`))]).toEqual(
    failures.length > 0 ? ["503 with Retry-After"] : [],
  );
  expect(failures.every((s) => s.headers.get("content-type")?.startsWith("application/problem+json"))).toBe(true);
  // Outside the outages everything succeeds; the processes were never restarted.
  expect(
    seen.filter(
      (s) =>
        s.sentIn === s.phase &&
        (s.phase === "before" || s.phase.endsWith("back")) &&
        s.status >= 400 &&
        !(s.phase === "postgres-back" && s.service === "auth"),
    ),
  ).toEqual([]);
  expect({ auth: stack.auth.pid(), post: stack.post.pid(), alive: stack.auth.alive() && stack.post.alive() }).toEqual({
    ...pids,
    alive: true,
  });

  // The events that crossed the outages: every registration reached the authors projection.
  await settled(stack, topics, { timeoutMs: 90_000 });
  const projected = await authorsProjection(stack.postDb);
  const missing = registered.filter((id) => !projected.has(id));
  const deadLettered = await topics.size(topics.dlq(UserEvents));
  expect({ missing: missing.length, deadLettered }).toEqual({ missing: 0, deadLettered: 0 });

  const during = (p: Phase) => seen.filter((s) => s.phase === p);
  recordResult({
    id: `fault.${which}-restart`,
    scenario: `${which === "postgres" ? "PostgreSQL" : "FerretDB (MongoDB wire)"} restarted under load`,
    checked:
      "readyz 503 naming the database during, 200 after; no request past its 8 s deadline; failures are 503 problem+json with Retry-After; both processes never restarted; every registration projected, none dead-lettered",
    figures: {
      faults: 1,
      requests: tally.requests,
      timeouts: tally.timeouts,
      duringOutage: during(which === "postgres" ? "postgres-down" : "mongo-down").length,
      failedFast: failures.length,
      failureLatencyMs: JSON.stringify(latencySummary(failures.map((s) => s.ms))),
      readyzDuringOutage: report ?? "",
      registrations: registered.length,
      lost: missing.length,
      deadLettered,
      serverErrorsDuringOutageOnly: tally.serverErrors,
    },
  });
}

test(
  "PostgreSQL restarted under load: post's readyz reports it, requests fail fast, the service recovers by itself",
  () => restartUnderLoad("postgres"),
  180_000,
);

test(
  "FerretDB restarted under load: auth's readyz reports it, requests fail fast, the service recovers by itself",
  () => restartUnderLoad("mongodb"),
  180_000,
);
