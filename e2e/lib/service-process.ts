/** One service as a real OS process (`bun <service>/src/main.ts`), so faults can SIGKILL or SIGTERM it. */
import { appendFileSync } from "node:fs";
import { eventually } from "@chirp/platform/testing";

const repoRoot = new URL("../..", import.meta.url).pathname;

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
  let proc: Bun.Subprocess<"ignore", "pipe", "pipe">;

  async function launch() {
    proc = Bun.spawn(["bun", `${name}/src/main.ts`], {
      cwd: repoRoot,
      env: { ...process.env, ...env, PORT: `${port}`, HOST: "127.0.0.1" },
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
  }

  await launch();
  return {
    name,
    url,
    pid: () => proc.pid,
    async signal(signal) {
      proc.kill(signal);
      await proc.exited;
      return proc.exitCode;
    },
    restart: launch,
    alive: () => proc.exitCode === null && proc.signalCode === null,
  };
}

async function copy(stream: ReadableStream<Uint8Array>, file: string) {
  for await (const chunk of stream) appendFileSync(file, chunk);
}
