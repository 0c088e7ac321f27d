/**
 * A service as its container image under podman (E2E_CONTAINERS=1, set by scripts/containers-check after
 * scripts/images built chirp-auth:local and chirp-post:local), hardened as compose.yaml and deploy/k8s run
 * it: read-only root with a /tmp tmpfs, uid 65532, every capability dropped, no new privileges. The
 * container shares the host's network, so it reaches the local servers on 127.0.0.1 and listens there.
 */

/** Set by the runner: the containers of one run carry this label, so the runner removes any left over. */
export const containerRunLabel = process.env.E2E_CONTAINER_RUN ?? "e2e";
/** Past the stack's SHUTDOWN_TIMEOUT_MS (15 s), as compose's stop_grace_period is past the service's. */
export const stopGraceSeconds = 20;

export function containerName(service: string, port: number) {
  return `chirp-${containerRunLabel}-${service}-${port}`;
}

/** `podman run` in the foreground: its stdout/stderr are the service's, its exit code the service's. */
export function containerCommand(service: string, name: string, env: Record<string, string>): string[] {
  return [
    "podman",
    "run",
    "--rm",
    `--name=${name}`,
    `--label=chirp.run=${containerRunLabel}`,
    "--network=host",
    "--read-only",
    "--tmpfs=/tmp",
    "--user=65532:65532",
    "--cap-drop=ALL",
    "--security-opt=no-new-privileges",
    "--pull=never",
    // Readiness is polled over HTTP here (the image has no HEALTHCHECK; compose defines the check).
    "--no-healthcheck",
    ...Object.entries(env).map(([key, value]) => `--env=${key}=${value}`),
    `chirp-${service}:local`,
  ];
}

/**
 * Stops a container as an orchestrator does: SIGTERM, then SIGKILL once the grace period is over
 * (`podman stop --time`). The foreground `podman run` then exits with the service's code (137 after a
 * SIGKILL). A SIGKILL at once goes straight to `containerPid` from the host instead, as the kernel's OOM
 * killer's would: `podman kill` takes a few hundred ms to start, long enough for a scenario's burst to end.
 */
export async function stopContainer(name: string) {
  const command = ["podman", "stop", `--time=${stopGraceSeconds}`, name];
  const proc = Bun.spawn(command, { stdout: "ignore", stderr: "pipe" });
  if ((await proc.exited) !== 0) {
    throw new Error(`${command.join(" ")} failed: ${await new Response(proc.stderr).text()}`);
  }
}

/** The host's id of the service's process (the container's pid 1). */
export async function containerPid(name: string) {
  const inspect = Bun.spawn(["podman", "inspect", "--format", "{{.State.Pid}}", name], { stderr: "inherit" });
  const pid = Number((await new Response(inspect.stdout).text()).trim());
  if (!(pid > 0)) throw new Error(`no process for container ${name}`);
  return pid;
}
