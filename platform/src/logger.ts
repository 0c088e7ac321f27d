import pino from "pino";
import { traceIds, tracingEnabled } from "./tracing/spans.ts";

export type Logger = pino.Logger;

/**
 * Structured JSON lines on stdout, one per event, with the service name on each, and the trace and span ids
 * of the active span when tracing is on (started before the logger, as `runService` does). The mixin is only
 * installed then: untraced services do not pay a call per line. `destination` (default: stdout) is for tests.
 */
export function createLogger(service: string, level: string, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    ...(tracingEnabled() ? { mixin: traceIds } : {}),
  };
  return destination ? pino(options, destination) : pino(options);
}
