import { z } from "zod";

/** A configuration that does not parse; its message lists every bad variable. */
export class ConfigError extends Error {
  override name = "ConfigError";
}

/**
 * Parses the environment with a zod schema whose keys are the variable names.
 * Throws a ConfigError naming each bad variable, so a service can print it and exit.
 */
export function parseEnv<S extends z.ZodObject>(schema: S, env: Record<string, string | undefined>): z.output<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const name = issue.path.join(".") || "(environment)";
    return `  ${name}: ${issue.message}`;
  });
  throw new ConfigError(`invalid configuration:\n${lines.join("\n")}`);
}

/** Environment helpers: every variable arrives as a string or not at all. */
export const env = {
  port: (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback),
  int: (fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER) =>
    z.coerce.number().int().min(min).max(max).default(fallback),
  /** A comma-separated list, trimmed, empties dropped. */
  list: (fallback: string) =>
    z
      .string()
      .default(fallback)
      .transform((value) =>
        value
          .split(",")
          .map((item) => item.trim())
          .filter(Boolean),
      ),
  bool: (fallback: boolean) =>
    z
      .enum(["true", "false", "1", "0"])
      .default(fallback ? "true" : "false")
      .transform((value) => value === "true" || value === "1"),
  logLevel: () => z.enum(["trace", "debug", "info", "warn", "error", "fatal", "silent"]).default("info"),
};

/** An origin as a browser sends it: scheme, host and port only (`https://app.example.com`, no slash). */
const isOrigin = (value: string) => URL.canParse(value) && new URL(value).origin === value;

/**
 * The standard OpenTelemetry variables this project reads (the subset that applies to traces). Tracing is off
 * unless an OTLP endpoint is set, so a service without a collector pays nothing.
 */
export const TracingEnv = z.object({
  OTEL_SDK_DISABLED: env.bool(false),
  /** Base URL of an OTLP/HTTP receiver (e.g. http://127.0.0.1:4318); traces go to `<it>/v1/traces`. */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
  /** Full URL for traces alone; wins over the base URL. */
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.url().optional(),
  OTEL_TRACES_SAMPLER: z
    .enum([
      "always_on",
      "always_off",
      "traceidratio",
      "parentbased_always_on",
      "parentbased_always_off",
      "parentbased_traceidratio",
    ])
    .default("parentbased_always_on"),
  /** The ratio of the `*traceidratio` samplers, 0 to 1. */
  OTEL_TRACES_SAMPLER_ARG: z.coerce.number().min(0).max(1).default(1),
  /** Overrides the service's own name in the traces. */
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
});
export type TracingEnv = z.output<typeof TracingEnv>;

/** The variables every service shares: HTTP, logging, Kafka and tracing. */
export const CommonEnv = z.object({
  HOST: z.string().default("0.0.0.0"),
  LOG_LEVEL: env.logLevel(),
  /** Browser origins allowed to call the API (CORS), comma-separated; none by default. */
  CORS_ORIGINS: env
    .list("")
    .pipe(z.array(z.string().refine(isOrigin, "must be origins such as https://app.example.com, comma-separated"))),
  /** Largest accepted request body, in bytes. */
  BODY_LIMIT_BYTES: env.int(64 * 1024, 1024),
  /** How long a graceful shutdown may take before the process exits anyway. */
  SHUTDOWN_TIMEOUT_MS: env.int(10_000, 100),
  KAFKA_BROKERS: env.list("127.0.0.1:9092").pipe(z.array(z.string()).min(1, "needs at least one broker")),
  /** Prepended to every topic name; lets tests and environments share one cluster. */
  KAFKA_TOPIC_PREFIX: z.string().default(""),
  KAFKA_TOPIC_PARTITIONS: env.int(6, 1, 1000),
  KAFKA_REPLICATION_FACTOR: env.int(1, 1, 10),
  /** Readiness fails once a partition's next event has kept failing this long (retries, or an outage). */
  CONSUMER_STALL_MS: env.int(60_000, 1000),
  /** Access tokens name their issuer and audience; verifiers check both. */
  JWT_ISSUER: z.string().min(1).default("chirp-auth"),
  JWT_AUDIENCE: z.string().min(1).default("chirp"),
  ...TracingEnv.shape,
});
export type CommonEnv = z.output<typeof CommonEnv>;
