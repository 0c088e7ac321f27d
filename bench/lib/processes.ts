/** Starts the processes a scenario measures (services, reference servers) and waits until they answer. */

const root = new URL("../..", import.meta.url).pathname;

export interface Started extends AsyncDisposable {
  url: string;
  pid: number;
  /** Resolves with the exit code once the process has ended. */
  exited: Promise<number>;
  /** Resident memory of the process now, in MiB (from /proc). */
  rssMiB(): Promise<number>;
  stop(): Promise<void>;
}

export async function rssOf(pid: number) {
  const status = await Bun.file(`/proc/${pid}/status`).text();
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? Number.NaN);
  return kb / 1024;
}

/**
 * Runs `work` with process `pid` stopped (SIGSTOP) and lets it go on (SIGCONT) however `work` ends: a
 * figure without that process's share of the machine, or a backlog it finds waiting when it resumes.
 */
export async function whileFrozen<T>(pid: number, work: () => Promise<T>): Promise<T> {
  process.kill(pid, "SIGSTOP");
  try {
    return await work();
  } finally {
    process.kill(pid, "SIGCONT");
  }
}

/** Reads a stream to its end in the background, keeping its last `lines` lines for an error message. */
function keepTail(stream: ReadableStream<Uint8Array>, lines = 20) {
  let tail = "";
  void (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of stream) {
      tail = (tail + decoder.decode(chunk, { stream: true })).split("\n").slice(-lines).join("\n");
    }
  })();
  return () => tail.trim() || "(none)";
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
  const proc = Bun.spawn(command, { cwd: root, env: { ...process.env, ...env }, stdout: "pipe", stderr: "inherit" });
  const output = keepTail(proc.stdout);
  // A process that ends early says how, with its last log lines (services log JSON to stdout).
  const exited = () =>
    new Error(
      `${command.join(" ")} exited (code ${proc.exitCode}, signal ${proc.signalCode ?? "none"}); its last output:\n${output()}`,
    );
  const deadline = Date.now() + timeoutMs;
  let last = "";
  for (;;) {
    if (proc.exitCode !== null) throw exited();
    last = await fetch(url + probePath)
      .then(async (res) => (res.status === 200 ? "ok" : `${res.status} ${(await res.text()).slice(0, 300)}`))
      .catch((error: Error) => error.message);
    if (last === "ok") break;
    if (Date.now() > deadline) {
      proc.kill();
      throw new Error(`${command.join(" ")} did not answer ${url}${probePath} within ${timeoutMs} ms: ${last}`);
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
    exited: proc.exited,
    startMs,
    rssMiB: () => (proc.exitCode === null ? rssOf(proc.pid) : Promise.reject(exited())),
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
