import { ConfigError } from "./config.ts";
import { createLogger, type Logger } from "./logger.ts";
import { exitOnSignal } from "./shutdown.ts";

export interface ServiceEntry<C extends { LOG_LEVEL: string }> {
  name: string;
  loadConfig: (environment: Record<string, string | undefined>) => C;
  start: (config: C, logger: Logger) => Promise<{ stop: () => Promise<boolean> }>;
}

/**
 * The process entry of a service: parse the environment (print the problems and exit 1 when it is bad),
 * start, and drain on SIGTERM/SIGINT.
 */
export async function runService<C extends { LOG_LEVEL: string }>(entry: ServiceEntry<C>) {
  let config: C;
  try {
    config = entry.loadConfig(process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`${entry.name}: ${error.message}`);
    process.exit(1);
  }
  const logger = createLogger(entry.name, config.LOG_LEVEL);
  try {
    const service = await entry.start(config, logger);
    exitOnSignal(service.stop, logger);
  } catch (error) {
    logger.fatal({ err: error }, `${entry.name} service could not start`);
    process.exit(1);
  }
}
