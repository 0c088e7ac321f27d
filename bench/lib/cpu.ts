/**
 * CPU use while a piece of work runs, from /proc: the share of the whole machine that was busy, and the CPU
 * seconds of chosen processes. A figure taken with the machine near 100% busy is bound by the machine.
 */

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

/** User plus system CPU seconds of a process so far (fields 14 and 15 of /proc/PID/stat, after its name). */
async function processSeconds(pid: number) {
  const stat = await Bun.file(`/proc/${pid}/stat`).text();
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  // Fields count from 3 after the name: utime is field 14, stime field 15. Linux reports 100 ticks a second.
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

export interface CpuUse {
  /** Share of all cores busy, 0..1. */
  busy: number;
  /** CPU seconds each named process spent. */
  seconds: Record<string, number>;
}

export async function measureCpu<T>(work: () => Promise<T>, pids: Record<string, number> = {}): Promise<[T, CpuUse]> {
  const names = Object.keys(pids);
  const before = await Promise.all(names.map((name) => processSeconds(pids[name] ?? 0)));
  const machineBefore = await machineTicks();
  const result = await work();
  const machineAfter = await machineTicks();
  const after = await Promise.all(names.map((name) => processSeconds(pids[name] ?? 0)));
  const seconds = Object.fromEntries(names.map((name, i) => [name, (after[i] ?? 0) - (before[i] ?? 0)]));
  return [result, { busy: busyShare(machineBefore, machineAfter), seconds }];
}

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
 * of its own, e.g. KAFKA_BROKERS/MONGO_URL set), so a figure can say how much CPU each spent on it.
 */
export async function infraPids(): Promise<Record<string, number>> {
  const files = { ferretdb: ".cache/ferretdb/ferretdb.pid", kafka: ".cache/kafka/9092/kafka.pid" };
  const pids: Record<string, number> = {};
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
  return pids;
}
