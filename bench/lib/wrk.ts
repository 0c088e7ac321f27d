/** Closed-loop maximum throughput with wrk (Debian package), parsed from its Lua summary. */

export interface WrkOptions {
  url: string;
  seconds: number;
  connections: number;
  threads?: number;
  headers?: Record<string, string>;
  /** A request with a JSON body instead of a GET. */
  post?: { method: string; body: string };
}

export interface WrkResult {
  rps: number;
  requests: number;
  /** Responses that were not 2xx/3xx, plus socket errors and timeouts. */
  failures: number;
  p50Ms: number;
  p99Ms: number;
}

const script = new URL("./report.lua", import.meta.url).pathname;

export async function wrk(options: WrkOptions): Promise<WrkResult> {
  const args = [
    "wrk",
    `-t${options.threads ?? 1}`,
    `-c${options.connections}`,
    `-d${options.seconds}s`,
    "--timeout",
    "5s",
    "-s",
    script,
    ...Object.entries(options.headers ?? {}).flatMap(([name, value]) => ["-H", `${name}: ${value}`]),
    options.url,
  ];
  const env = options.post
    ? { ...process.env, WRK_METHOD: options.post.method, WRK_BODY: options.post.body }
    : undefined;
  const proc = Bun.spawn(args, { stdout: "pipe", stderr: "pipe", env });
  const [out, err, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  const line = out.split("\n").find((candidate) => candidate.startsWith("{"));
  if (code !== 0 || !line) throw new Error(`wrk failed (exit ${code}): ${err || out}`);
  const raw = JSON.parse(line) as Record<string, number>;
  const get = (key: string) => raw[key] ?? 0;
  return {
    rps: get("requests") / (get("durationUs") / 1e6),
    requests: get("requests"),
    failures: get("connectErrors") + get("readErrors") + get("writeErrors") + get("statusErrors") + get("timeouts"),
    p50Ms: get("p50Us") / 1000,
    p99Ms: get("p99Us") / 1000,
  };
}
