/**
 * Scenario 7: cold start (process start -> `/readyz` 200, servers already up) and idle RSS of each service,
 * from source (`bun src/main.ts`), as the compiled executable the container image runs
 * (`scripts/compile-service`), as that executable with its bundle precompiled to bytecode, and (with
 * BENCH_CONTAINERS=1, which scripts/bench sets where podman runs) as the image itself under podman.
 */
import { settle } from "../lib/cpu.ts";
import type { Row } from "../lib/report.ts";
import { executable, type RunMode, startStack } from "../lib/stack.ts";

const root = new URL("../..", import.meta.url).pathname;

/**
 * Builds both executables into .cache/bench/: `<service>-compiled` as the images have it, and
 * `<service>-bytecode` with the bundle precompiled (faster to start, too big for the image budget).
 */
export async function compileServices() {
  for (const service of ["auth", "post"]) {
    for (const [mode, flags] of [
      ["compiled", []],
      ["bytecode", ["--bytecode"]],
    ] as const) {
      const build = Bun.spawn(["bash", "scripts/compile-service", service, executable(service, mode), ...flags], {
        cwd: root,
        stdout: "ignore",
        stderr: "inherit",
      });
      if ((await build.exited) !== 0) throw new Error(`compiling ${service} (${mode}) failed`);
    }
  }
}

/** The image's size as podman counts it (the uncompressed layers), in MB to one decimal. */
async function imageMB(service: string) {
  const inspect = Bun.spawn(["podman", "image", "inspect", "--format", "{{.Size}}", `chirp-${service}:local`]);
  return Math.round(Number((await new Response(inspect.stdout).text()).trim()) / 1e5) / 10;
}

/** Resident memory (MiB) of a process that loads a service's code and starts nothing (no service: bare Bun). */
async function loadedRss(service?: string) {
  const proc = Bun.spawn(["bun", "bench/references/loaded.ts"], {
    cwd: root,
    env: { ...process.env, SERVICE: service ?? "" },
    stderr: "inherit",
  });
  const out = await new Response(proc.stdout).text();
  if ((await proc.exited) !== 0) throw new Error(`loading ${service ?? "nothing"} failed`);
  return Number(out.trim());
}

/**
 * Each service's start on a fresh database and fresh topics (a first deploy: migrations, indexes, topics and
 * keys are created), then again on what that start set up (a restart or a further instance, the usual case).
 */
export async function startup(report: (row: Row) => void, mode: RunMode) {
  const floors =
    mode === "source"
      ? { bare: await loadedRss(), auth: await loadedRss("auth"), post: await loadedRss("post") }
      : undefined;
  await settle();
  const stack = await startStack(mode);
  try {
    const first = { auth: stack.auth.startMs, post: stack.post.startMs };
    await stack.restart();
    // A second of idleness after start-up before reading resident memory.
    await Bun.sleep(1000);
    for (const [service, started] of [
      ["auth", stack.auth],
      ["post", stack.post],
    ] as const) {
      const rss = await started.rssMiB();
      const size =
        mode === "source"
          ? ""
          : mode === "container"
            ? `; image ${await imageMB(service)} MB; RSS of the service process inside the container`
            : `; executable ${(Bun.file(executable(service, mode)).size / 1e6).toFixed(1)} MB`;
      const floor = floors
        ? ` (its code loaded, nothing started: ${floors[service].toFixed(1)}; bare Bun: ${floors.bare.toFixed(1)})`
        : "";
      report({
        scenario: `${service} cold start to readyz, ${mode}`,
        goal: "< 300 ms",
        pass: started.startMs < 300,
        note: `${started.startMs.toFixed(0)} ms (first start, creating schema and topics: ${first[service].toFixed(0)} ms); idle RSS ${rss.toFixed(1)} MiB (goal < 60)${floor}${size}`,
        p50Ms: started.startMs,
      });
    }
  } finally {
    await stack.stop();
  }
}
