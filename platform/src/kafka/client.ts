import type { TopicDefinition } from "@chirp/contracts";
import { type Admin, Kafka, type LogEntry, logLevel, Partitioners, type ProducerConfig } from "kafkajs";
import type { Logger } from "../logger.ts";
import { physicalName } from "./topics.ts";

export interface KafkaSettings {
  clientId: string;
  brokers: string[];
  logger: Logger;
}

const levels: Record<number, "error" | "warn" | "info" | "debug"> = {
  [logLevel.ERROR]: "error",
  [logLevel.WARN]: "warn",
  [logLevel.INFO]: "info",
  [logLevel.DEBUG]: "debug",
};

/**
 * Producers name their partitioner: the default one (Java-compatible murmur2, the same keys land on the same
 * partitions as with any other client), chosen explicitly so kafkajs stops warning about its v2 change.
 */
class ChirpKafka extends Kafka {
  override producer(config?: ProducerConfig) {
    return super.producer({ createPartitioner: Partitioners.DefaultPartitioner, ...config });
  }
}

/** A kafkajs client whose own logs go to the service's JSON log. */
export function createKafka({ clientId, brokers, logger }: KafkaSettings): Kafka {
  const kafkaLogger = logger.child({ component: "kafkajs" });
  return new ChirpKafka({
    clientId,
    brokers,
    connectionTimeout: 3000,
    // kafkajs retries each request itself; keep it short so callers (relay, readiness) see outages quickly.
    retry: { initialRetryTime: 100, maxRetryTime: 2000, retries: 5 },
    logLevel: logLevel.WARN,
    logCreator:
      () =>
      ({ level, log }: LogEntry) => {
        const { message, ...rest } = log;
        kafkaLogger[levels[level] ?? "info"](rest, message);
      },
  });
}

/**
 * A readiness probe: the cluster answers a metadata request for `topics`, the service's own. Not
 * describeCluster: it asks for the metadata of every topic on the cluster, ~100 ms with a few thousand.
 */
export function kafkaCheck(admin: Admin, topics: readonly TopicDefinition[], prefix: string) {
  const names = topics.map((topic) => physicalName(prefix, topic));
  return async () => {
    await admin.fetchTopicMetadata({ topics: names });
  };
}
