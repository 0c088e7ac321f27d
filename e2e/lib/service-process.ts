/**
 * One service as a real OS process (`bun <service>/src/main.ts`), so faults can SIGKILL or SIGTERM it; or,
 * with E2E_CONTAINERS=1, as its container image under podman (./container.ts), stopped the way an
 * orchestrator stops it.
 */
import { appendFileSync } from "node:fs";
import { eventually } from "@chirp/platform/testing";
import { containerCommand, containerName, containerPid, stopContainer } from "./container.ts";

const repoRoot = new URL("../..", import.meta.url).pathname;
const inContainers = process.env.E2E_CONTAINERS === "1";

export type ServiceName = "auth" | "post";

export interface ServiceProcess {
  name: ServiceName;
  url: URL;
  pid(): number;
  /** Sends a signal and waits for the exit; resolves with the exit code (null after a kill by signal). */
  signal(signal: "SIGTERM" | "SIGKILL"): Promise<number | null>;
  /** Starts the process again with the same environment (same port) and waits for `/readyz` 200. */
  restart(): Promise<void>;
  /** Whether the process is still the one started (not restarted behind the test's back). */
  alive(): boolean;
}

/**
 * Spawns a service with `env` on `port` and waits until `/readyz` answers 200. Its log lines go to
 * `logFile` (JSON lines; the e2e run keeps them for a failure's post-mortem).
 */
export async function spawnService(
  name: ServiceName,
  port: number,
  env: Record<string, string>,
  logFile: string,
): Promise<ServiceProcess> {
  const url = new URL(`http://127.0.0.1:${port}`);
  const serviceEnv = { ...env, PORT: `${port}`, HOST: "127.0.0.1" };
  const container = containerName(name, port);
  let proc: Bun.Subprocess<"ignore", "pipe", "pipe">;
  /** In a container: the service's own process as the host sees it. */
  let servicePid = 0;

  async function launch() {
    // A container gets the service's environment only; podman itself needs the runner's (CONTAINERS_CONF).
    proc = Bun.spawn(inContainers ? containerCommand(name, container, serviceEnv) : ["bun", `${name}/src/main.ts`], {
      cwd: repoRoot,
      env: { ...process.env, ...(inContainers ? {} : serviceEnv) },
      stdin: "ignore",
      stdout: "pipe",
      stderr: "pipe",
    });
    void copy(proc.stdout, logFile);
    void copy(proc.stderr, logFile);
    const started = proc;
    await eventually(
      async () => {
        if (started.exitCode !== null) throw new Error(`${name} exited with ${started.exitCode} (log: ${logFile})`);
        const res = await fetch(new URL("/readyz", url), { signal: AbortSignal.timeout(2000) });
        return res.status === 200;
      },
      { timeoutMs: 30_000, what: `${name} /readyz 200` },
    );
    if (inContainers) servicePid = await containerPid(container);
  }

  await launch();
  return {
    name,
    url,
    pid: () => proc.pid,
    async signal(signal) {
      if (!inContainers) {
        proc.kill(signal);
        await proc.exited;
        return proc.exitCode;
      }
      if (signal === "SIGKILL") process.kill(servicePid, "SIGKILL");
      else await stopContainer(container);
      const code = await proc.exited;
      // 137 = 128 + SIGKILL: reported as a process killed by a signal is.
      return code === 137 ? null : code;
    },
    restart: launch,
    alive: () => proc.exitCode === null && proc.signalCode === null,
  };
}

async function copy(stream: ReadableStream<Uint8Array>, file: string) {
  for await (const chunk of stream) appendFileSync(file, chunk);
}
