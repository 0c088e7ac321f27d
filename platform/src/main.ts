import { ConfigError, type TracingEnv } from "./config.ts";
import { createLogger, type Logger } from "./logger.ts";
import { exitOnSignal } from "./shutdown.ts";
import { startTracing } from "./tracing/setup.ts";

type EntryConfig = TracingEnv & { LOG_LEVEL: string };

export interface ServiceEntry<C extends EntryConfig> {
  name: string;
  loadConfig: (environment: Record<string, string | undefined>) => C;
  start: (config: C, logger: Logger) => Promise<{ stop: () => Promise<boolean> }>;
}

/**
 * The process entry of a service: parse the environment (print the problems and exit 1 when it is bad),
 * set up tracing when the OTEL_* variables ask for it (before anything logs, so log lines carry trace ids),
 * start, and drain on SIGTERM/SIGINT, exporting the last spans after the drain.
 */
export async function runService<C extends EntryConfig>(entry: ServiceEntry<C>) {
  let config: C;
  try {
    config = entry.loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`${entry.name}: ${error.message}`);
    process.exit(1);
  }
  const tracing = startTracing(config, entry.name);
  const logger = createLogger(entry.name, config.LOG_LEVEL);
  try {
    const service = await entry.start(config, logger);
    exitOnSignal(async () => {
      const drained = await service.stop();
      await tracing?.shutdown().catch((error) => logger.warn({ err: error }, "could not export the last spans"));
      return drained;
    }, logger);
  } catch (error) {
    logger.fatal({ err: error }, `${entry.name} service could not start`);
    process.exit(1);
  }
}
