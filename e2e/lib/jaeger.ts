/**
 * The local Jaeger (scripts/infra up jaeger): started when it is not running, and read back through its
 * query API (the one its UI uses).
 */
import { eventually } from "@chirp/platform/testing";

const port = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
export const jaeger = {
  otlp: `http://127.0.0.1:${port("JAEGER_OTLP_HTTP_PORT", 4318)}`,
  query: `http://127.0.0.1:${port("JAEGER_UI_PORT", 16686)}`,
  health: `http://127.0.0.1:${port("JAEGER_HEALTH_PORT", 13133)}/status`,
};

async function healthy() {
  try {
    return (await fetch(jaeger.health, { signal: AbortSignal.timeout(2000) })).ok;
  } catch {
    return false;
  }
}

/**
 * Ensures Jaeger is up, starting it with `scripts/infra up jaeger` (which builds it once, with Go, from the
 * module proxy). Returns why it cannot run when it cannot, so the caller can skip and say so.
 */
export async function ensureJaeger(): Promise<string | undefined> {
  if (await healthy()) return undefined;
  const root = new URL("../..", import.meta.url).pathname;
  const started = Bun.spawn(["bash", "scripts/infra", "up", "jaeger"], { cwd: root, stdout: "pipe", stderr: "pipe" });
  const timer = setTimeout(() => started.kill(), 540_000);
  const [code, errors] = await Promise.all([started.exited, new Response(started.stderr).text()]);
  clearTimeout(timer);
  if (code === 0 && (await healthy())) return undefined;
  return `scripts/infra up jaeger failed (exit ${code}): ${errors.split("\n").slice(-5).join(" | ")}`;
}

export interface TraceSpan {
  operationName: string;
  service: string;
}

/** The spans of one trace (with their service), once `until` holds for them. */
export function traceWhen(traceId: string, until: (spans: TraceSpan[]) => boolean, what: string) {
  return eventually(
    async () => {
      const response = await fetch(`${jaeger.query}/api/traces/${traceId}`);
      if (!response.ok) return undefined;
      const body = (await response.json()) as {
        data: {
          spans: { operationName: string; processID: string }[];
          processes: Record<string, { serviceName: string }>;
        }[];
      };
      const trace = body.data[0];
      if (!trace) return undefined;
      const spans = trace.spans.map((span) => ({
        operationName: span.operationName,
        service: trace.processes[span.processID]?.serviceName ?? "?",
      }));
      return until(spans) && spans;
    },
    { timeoutMs: 30_000, intervalMs: 250, what },
  );
}

/** A fresh sampled W3C `traceparent`, and its trace id. */
export function newTraceparent() {
  const hex = (bytes: number) => crypto.getRandomValues(new Uint8Array(bytes)).toHex();
  const traceId = hex(16);
  return { traceId, traceparent: `00-${traceId}-${hex(8)}-01` };
}
