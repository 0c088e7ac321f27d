/**
 * PostgreSQL and FerretDB servers of a test's own, on free ports, for faults that stop and start a database:
 * the shared servers on 5432/27017 belong to everyone's tests and are never touched.
 */
import { freePort } from "@chirp/platform/testing";

const repoRoot = new URL("../..", import.meta.url).pathname;

/** A restartable server: `url` is where clients connect, `stop`/`start` keep its data. */
export interface PrivateServer extends AsyncDisposable {
  url: string;
  port: number;
  start(): Promise<void>;
  stop(): Promise<void>;
}

async function infra(args: string[]) {
  const proc = Bun.spawn(["bash", "scripts/infra", ...args], { cwd: repoRoot, stdout: "pipe", stderr: "pipe" });
  if ((await proc.exited) !== 0) {
    throw new Error(`scripts/infra ${args.join(" ")} failed: ${await new Response(proc.stderr).text()}`);
  }
}

async function startInstance(kind: "postgres" | "ferretdb", url: (port: number) => string): Promise<PrivateServer> {
  const port = freePort();
  // Under /tmp rather than a mkdtemp folder (mode 700): PostgreSQL runs as its own OS user and must reach it.
  const dir = `/tmp/chirp-e2e-${kind}-${port}`;
  const run = (action: "start" | "stop") => infra([`${kind}-instance`, action, `${port}`, dir]);
  await run("start");
  return {
    url: url(port),
    port,
    start: () => run("start"),
    stop: () => run("stop"),
    async [Symbol.asyncDispose]() {
      // A private FerretDB keeps its data in a database of its own on the shared PostgreSQL: dropped too.
      await infra([`${kind}-instance`, kind === "ferretdb" ? "destroy" : "stop", `${port}`, dir]);
      await Bun.$`rm -rf ${dir}`.quiet();
    },
  };
}

/** A private PostgreSQL cluster; `url` names its `postgres` database (create per-test databases in it). */
export const startPrivatePostgres = () =>
  startInstance("postgres", (port) => `postgres://postgres@127.0.0.1:${port}/postgres`);

/** A private FerretDB (its data in a database of its own on the shared PostgreSQL); `url` has no database path yet. */
export const startPrivateFerret = () =>
  startInstance("ferretdb", (port) => `mongodb://127.0.0.1:${port}/?directConnection=true&retryWrites=false`);
