// Scale-out proof on the compiled executables (run by scripts/scale-out, which builds them): two auth and
// two post instances against the local servers, with a database pair and topic prefix of their own.
// Users register, log in, post and read through the instances alternately; every access token must work
// on every instance, and every event must be applied exactly once (postCount, activity, authors).
// Usage: bun scripts/scale-out.ts AUTH_EXECUTABLE POST_EXECUTABLE LOG_DIR
//        bun scripts/scale-out.ts --containers LOG_DIR   (the images scripts/images built, under podman, as
//                                                          scripts/containers-check runs it)
import { SQL } from "bun";
import { containerCommand, containerName, stopContainer } from "../e2e/lib/container.ts";

const usage = "usage: scale-out.ts AUTH_EXECUTABLE POST_EXECUTABLE LOG_DIR | --containers LOG_DIR";
const inContainers = process.argv[2] === "--containers";
const [authExe, postExe, logDir] = inContainers ? ["auth", "post", process.argv[3]] : process.argv.slice(2);
if (!authExe || !postExe || !logDir) throw new Error(usage);
const USERS = 6;
const POSTS_PER_USER = 3;
const run = `scaleout_${Date.now().toString(36)}`;
const pgAdminUrl = process.env.PG_ADMIN_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const mongoBase = process.env.MONGO_BASE_URL ?? "mongodb://127.0.0.1:27017";
const common = {
  KAFKA_BROKERS: process.env.KAFKA_BROKERS ?? "127.0.0.1:9092",
  KAFKA_TOPIC_PREFIX: `${run}.`,
  LOG_LEVEL: "warn",
  SIGNING_KEY_SECRET: "scale-out-run-only-not-a-secret-0123456789",
};

interface Instance {
  name: string;
  url: string;
  proc: Bun.Subprocess;
  coldStartMs: number;
  container: string;
  stop(): Promise<number>;
}
const instances: Instance[] = [];

async function freePort(): Promise<number> {
  const server = Bun.serve({ port: 0, fetch: () => new Response() });
  const { port } = server;
  await server.stop(true);
  if (port === undefined) throw new Error("no free port");
  return port;
}

/**
 * Spawns one instance (`exe` is the executable, or the service's name with --containers) and waits for
 * /readyz 200; the time from spawn to that answer is its cold start.
 */
async function start(name: string, exe: string, env: Record<string, string>): Promise<Instance> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const serviceEnv = { ...common, ...env, PORT: String(port), HOST: "127.0.0.1" };
  const container = containerName(name, port);
  const started = performance.now();
  // podman needs the runner's environment (CONTAINERS_CONF); the container gets the service's only.
  const proc = Bun.spawn(inContainers ? containerCommand(exe, container, serviceEnv) : [exe], {
    env: inContainers ? process.env : { PATH: process.env.PATH ?? "", ...serviceEnv },
    cwd: logDir,
    stdout: Bun.file(`${logDir}/${name}.log`),
    stderr: "inherit",
  });
  const stop = async () => {
    if (inContainers) await stopContainer(container);
    else proc.kill("SIGTERM");
    return proc.exited;
  };
  const instance = { name, url, proc, coldStartMs: 0, container, stop };
  instances.push(instance);
  const deadline = started + 30_000;
  while (performance.now() < deadline) {
    if (proc.exitCode !== null) throw new Error(`${name} exited with ${proc.exitCode} (see ${name}.log)`);
    const ok = await fetch(`${url}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) {
      instance.coldStartMs = performance.now() - started;
      return instance;
    }
    await Bun.sleep(5);
  }
  throw new Error(`${name} not ready within 30 s`);
}

async function call(base: Instance, method: string, path: string, token?: string, body?: unknown) {
  const response = await fetch(`${base.url}${path}`, {
    method,
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  const json = text ? JSON.parse(text) : null;
  if (!response.ok) throw new Error(`${base.name} ${method} ${path}: ${response.status} ${text.slice(0, 200)}`);
  return json;
}

async function eventually<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 20_000): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  let last: unknown;
  while (performance.now() < deadline) {
    try {
      const value = await probe();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await Bun.sleep(50);
  }
  throw new Error(`timed out: ${what}${last ? ` (${last})` : ""}`);
}

const admin = new SQL(pgAdminUrl);
const checks: string[] = [];
try {
  await admin.unsafe(`create database ${run}`);
  const auth = [
    await start("auth-1", authExe, { MONGO_URL: `${mongoBase}/${run}?directConnection=true&retryWrites=false` }),
    await start("auth-2", authExe, { MONGO_URL: `${mongoBase}/${run}?directConnection=true&retryWrites=false` }),
  ] as const;
  const databaseUrl = pgAdminUrl.replace(/\/[^/]*$/, `/${run}`);
  // Each post instance asks a different auth instance for the JWKS and batch lookups.
  const post = [
    await start("post-1", postExe, { DATABASE_URL: databaseUrl, AUTH_URL: auth[0].url }),
    await start("post-2", postExe, { DATABASE_URL: databaseUrl, AUTH_URL: auth[1].url }),
  ] as const;
  const pick = <T>(pair: readonly [T, T], i: number): T => pair[i % 2] as T;
  if (inContainers) {
    // What the images' HEALTHCHECK runs (busybox as wget), inside each container, on its port.
    for (const instance of instances) {
      const probe = ["/usr/bin/wget", "-q", "-O", "/dev/null", `${instance.url}/healthz`];
      const exec = Bun.spawn(["podman", "exec", instance.container, ...probe], { stderr: "inherit" });
      if ((await exec.exited) !== 0) throw new Error(`${instance.name}: the health-check command failed`);
    }
    checks.push("the images' health-check command (busybox wget /healthz) succeeds inside each container");
  }

  const users: { id: string; name: string; token: string }[] = [];
  for (let i = 0; i < USERS; i++) {
    const credentials = { email: `${run}-${i}@example.com`, password: `correct horse ${i} battery` };
    const registered = await call(pick(auth, i), "POST", "/api/auth/register", undefined, {
      name: `User ${i}`,
      ...credentials,
    });
    const loggedIn = await call(pick(auth, i + 1), "POST", "/api/auth/login", undefined, credentials);
    users.push({ id: registered.user.id, name: registered.user.name, token: loggedIn.accessToken });
    for (const token of [registered.accessToken, loggedIn.accessToken]) {
      for (const instance of auth) await call(instance, "GET", "/api/users/me", token);
      for (const instance of post) await call(instance, "GET", "/api/whoami", token);
    }
  }
  checks.push(`${USERS * 2} access tokens (register + login) accepted by all 4 instances`);

  const postIds: string[] = [];
  for (const [u, user] of users.entries()) {
    for (let p = 0; p < POSTS_PER_USER; p++) {
      const title = `post ${p} of ${user.name}`;
      const created = await call(pick(post, u + p), "POST", "/api/posts", user.token, { title, content: "hello" });
      const read = await call(pick(post, u + p + 1), "GET", `/api/posts/${created.id}`);
      if (read.title !== title || read.author?.name !== user.name)
        throw new Error(`post ${created.id} read back wrong`);
      postIds.push(created.id);
    }
  }
  checks.push(
    `${postIds.length} posts written through one post instance and read back, with author, through the other`,
  );

  // post.created is consumed by auth's group (two members): each counted once, on either instance.
  for (const [u, user] of users.entries()) {
    await eventually(`postCount of ${user.name}`, async () => {
      const profile = await call(pick(auth, u), "GET", `/api/users/${user.id}`);
      return profile.postCount === POSTS_PER_USER ? profile : undefined;
    });
    const activity = await eventually(`activity of ${user.name}`, async () => {
      const page = await call(pick(auth, u + 1), "GET", "/api/activity?limit=100", user.token);
      const items = page.items as { id: string; type: string }[];
      return items.filter((item) => item.type === "post.created").length >= POSTS_PER_USER ? items : undefined;
    });
    const ids = activity.map((item) => item.id);
    const count = (type: string) => activity.filter((item) => item.type === type).length;
    if (new Set(ids).size !== ids.length) throw new Error(`${user.name}: an event appears twice in the activity`);
    if (count("post.created") !== POSTS_PER_USER || count("user.logged_in") !== 2) {
      throw new Error(`${user.name}: activity has ${count("post.created")} posts, ${count("user.logged_in")} logins`);
    }
  }
  checks.push(`auth applied every post.created once (postCount = ${POSTS_PER_USER} for each of ${USERS} users)`);
  checks.push("activity: no event twice, 2 logins and 3 posts per user, across both auth instances");

  // user.registered is consumed by post's group: each author projected once, with the right name.
  const db = new SQL(databaseUrl);
  try {
    const rows: { id: string; name: string }[] = await db`select id, name from authors`;
    const projected = new Map(rows.map((row) => [row.id, row.name]));
    for (const user of users) {
      if (projected.get(user.id) !== user.name) throw new Error(`author ${user.id} not projected once`);
    }
    if (rows.length !== USERS) throw new Error(`authors has ${rows.length} rows for ${USERS} users`);
    const [{ n }] = await db`select count(*)::int as n from posts`;
    if (n !== postIds.length) throw new Error(`posts has ${n} rows for ${postIds.length} created`);
  } finally {
    await db.end();
  }
  checks.push(`post projected each of ${USERS} authors exactly once; ${postIds.length} post rows`);

  console.log(
    `scale-out (${run}): 2 x auth, 2 x post${inContainers ? " (containers)" : ""}, one consumer group per service`,
  );
  for (const instance of instances) {
    console.log(
      `  ${instance.name}  ${instance.url}  cold start to /readyz 200: ${instance.coldStartMs.toFixed(0)} ms`,
    );
  }
  for (const check of checks) console.log(`  ok  ${check}`);
} finally {
  const exits = await Promise.all(instances.map((instance) => instance.stop()));
  console.log(`  stopped ${instances.length} instances (exit codes ${exits.join(", ")})`);
  await admin.unsafe(`drop database if exists ${run} with (force)`).catch(() => {});
  await admin.end();
}
