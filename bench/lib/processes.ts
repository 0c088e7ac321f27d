/** Starts the processes a scenario measures (services, reference servers) and waits until they answer. */

const root = new URL("../..", import.meta.url).pathname;

export interface Started extends AsyncDisposable {
  url: string;
  pid: number;
  /** Resident memory of the process now, in MiB (from /proc). */
  rssMiB(): Promise<number>;
  stop(): Promise<void>;
}

export async function rssOf(pid: number) {
  const status = await Bun.file(`/proc/${pid}/status`).text();
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

/** Spawns `command` (cwd = repo root) and waits until `url + probePath` answers 200. */
export async function startProcess(
  command: string[],
  env: Record<string, string>,
  url: string,
  probePath = "/",
  timeoutMs = 30_000,
): Promise<Started & { startMs: number }> {
  const started = performance.now();
  const proc = Bun.spawn(command, { cwd: root, env: { ...process.env, ...env }, stdout: "ignore", stderr: "inherit" });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (proc.exitCode !== null) throw new Error(`${command.join(" ")} exited with ${proc.exitCode}`);
    const ok = await fetch(url + probePath)
      .then((res) => res.status === 200)
      .catch(() => false);
    if (ok) break;
    if (Date.now() > deadline) {
      proc.kill();
      throw new Error(`${command.join(" ")} did not answer ${url}${probePath} within ${timeoutMs} ms`);
    }
    await Bun.sleep(5);
  }
  const startMs = performance.now() - started;
  const stop = async () => {
    proc.kill("SIGTERM");
    await proc.exited;
  };
  return {
    url,
    pid: proc.pid,
    startMs,
    rssMiB: () => rssOf(proc.pid),
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
