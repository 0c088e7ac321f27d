import pino from "pino";

export type Logger = pino.Logger;

/** Structured JSON lines on stdout, one per event, with the service name on each. */
export function createLogger(service: string, level: string): Logger {
  return pino({
    level,
    base: { service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
  });
}
