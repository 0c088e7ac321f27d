/**
 * CPU use while a piece of work runs, from /proc: the share of the whole machine that was busy, and the CPU
 * seconds of chosen processes. A figure taken with the machine near 100% busy is bound by the machine.
 */

import { readdir } from "node:fs/promises";

/** Busy and total jiffies of all cores together (first line of /proc/stat). */
async function machineTicks() {
  const line = (await Bun.file("/proc/stat").text()).split("\n", 1)[0] ?? "";
  const ticks = line.trim().split(/\s+/).slice(1, 9).map(Number);
  const total = ticks.reduce((sum, value) => sum + value, 0);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0);
  return { busy: total - idle, total };
}

type Ticks = Awaited<ReturnType<typeof machineTicks>>;
const busyShare = (before: Ticks, after: Ticks) => (after.busy - before.busy) / Math.max(1, after.total - before.total);

/**
 * User plus system CPU seconds of a process so far (fields 14 and 15 of /proc/PID/stat, after its name), or
 * undefined once it has exited.
 */
async function processSeconds(pid: number) {
  const stat = await Bun.file(`/proc/${pid}/stat`)
    .text()
    .catch(() => undefined);
  if (stat === undefined) return undefined;
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // Fields count from 3 after the name: utime is field 14, stime field 15. Linux reports 100 ticks a second.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

export interface CpuUse {
  /** Share of all cores busy, 0..1. */
  busy: number;
  /** CPU seconds each named process (or group of processes) spent. */
  seconds: Record<string, number>;
}

/**
 * What `measureCpu` watches under a name: one process, a fixed group summed, or a group found by a lookup
 * (e.g. PostgreSQL's processes), looked up again at the end so that a process started meanwhile counts too.
 */
export type Processes = number | readonly number[] | (() => Promise<number[]>);

const pidsOf = async (processes: Processes) =>
  typeof processes === "function" ? await processes() : [processes].flat();

/** CPU seconds of each pid so far; a pid that has exited reads as undefined. */
const secondsOf = async (pids: readonly number[]) =>
  new Map(await Promise.all(pids.map(async (pid) => [pid, await processSeconds(pid)] as const)));

/**
 * Runs `work` and measures the machine's busy share and the CPU seconds of `processes`. A process that exits
 * meanwhile is left out; one that starts meanwhile counts from zero, all of its CPU being spent in the window.
 */
export async function measureCpu<T>(
  work: () => Promise<T>,
  processes: Record<string, Processes> = {},
): Promise<[T, CpuUse]> {
  const groups = Object.entries(processes);
  const read = () => Promise.all(groups.map(async ([, group]) => secondsOf(await pidsOf(group))));
  const before = await read();
  const machineBefore = await machineTicks();
  const result = await work();
  const machineAfter = await machineTicks();
  const after = await read();
  const spent = (start: Map<number, number | undefined>, end: Map<number, number | undefined>) => {
    let sum = 0;
    for (const [pid, seconds] of end) {
      const from = start.has(pid) ? start.get(pid) : 0;
      if (seconds !== undefined && from !== undefined) sum += seconds - from;
    }
    return sum;
  };
  const seconds = Object.fromEntries(
    groups.map(([name], i) => [name, spent(before[i] ?? new Map(), after[i] ?? new Map())]),
  );
  return [result, { busy: busyShare(machineBefore, machineAfter), seconds }];
}

/** CPU ms per item of the named processes, e.g. "post 0.40, kafka 0.30", for a figure's note. */
export const cpuPerItem = (use: CpuUse, items: number, names: readonly string[]) =>
  names.map((name) => `${name} ${(((use.seconds[name] ?? 0) * 1000) / items).toFixed(2)}`).join(", ");

/**
 * Waits until the machine is nearly idle (under 20% busy over half a second), at most `maxMs`: what one
 * scenario leaves behind (topics being deleted, a backlog of welcome e-mails, a JIT warming down) must not
 * be measured as the next one's cost. Returns the last busy share seen.
 */
export async function settle(maxMs = 30_000) {
  const deadline = Date.now() + maxMs;
  for (;;) {
    const before = await machineTicks();
    await Bun.sleep(500);
    const busy = busyShare(before, await machineTicks());
    if (busy < 0.2 || Date.now() > deadline) return busy;
  }
}

export const percentBusy = (use: CpuUse) => `machine ${(use.busy * 100).toFixed(0)}% busy`;

const root = new URL("../..", import.meta.url).pathname;

/**
 * The local servers' pids from the pid files `scripts/infra` writes (none when the bench runs against servers
 * of its own, e.g. KAFKA_BROKERS/MONGO_URL set), so a figure can say how much CPU each spent on it. PostgreSQL
 * is its processes (the postmaster and a backend per connection) as one group, connections opened meanwhile
 * included.
 */
export async function infraPids(): Promise<Record<string, Processes>> {
  const files = { ferretdb: ".cache/ferretdb/ferretdb.pid", kafka: ".cache/kafka/9092/kafka.pid" };
  const pids: Record<string, Processes> = {};
  for (const [name, file] of Object.entries(files)) {
    const pid = Number(
      (
        await Bun.file(root + file)
          .text()
          .catch(() => "")
      ).trim(),
    );
    if (pid > 0 && (await Bun.file(`/proc/${pid}/stat`).exists())) pids[name] = pid;
  }
  if ((await processesNamed("postgres")).length > 0) pids.postgres = () => processesNamed("postgres");
  return pids;
}

/** The pids of the processes whose command name is `name`. */
async function processesNamed(name: string) {
  const pids: number[] = [];
  for (const entry of await readdir("/proc")) {
    const pid = Number(entry);
    if (!Number.isInteger(pid)) continue;
    const comm = await Bun.file(`/proc/${pid}/comm`)
      .text()
      .catch(() => "");
    if (comm.trim() === name) pids.push(pid);
  }
  return pids;
}
