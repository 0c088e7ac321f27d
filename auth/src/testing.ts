import { uniqueName } from "@chirp/platform/testing";
import { MongoClient } from "mongodb";
import { type AuthConfig, loadConfig } from "./config.ts";
import { start } from "./main.ts";

/** The configuration of a test instance: port 0, its own database and topic prefix, quiet logs. */
export function testConfig(overrides: Record<string, string> = {}): AuthConfig {
  const base = loadConfig(process.env);
  const url = new URL(base.MONGO_URL);
  url.pathname = `/${uniqueName("auth_test")}`;
  return loadConfig({
    ...process.env,
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: process.env.TEST_LOG_LEVEL ?? "silent",
    MONGO_URL: url.href,
    KAFKA_TOPIC_PREFIX: `${uniqueName("auth")}.`,
    ...overrides,
  });
}

/** Starts a real auth service; disposing it stops the service and drops its database. */
export async function startTestService(config = testConfig()) {
  const service = await start(config);
  return {
    ...service,
    config,
    async [Symbol.asyncDispose]() {
      await service.stop();
      const client = await MongoClient.connect(config.MONGO_URL);
      await client.db().dropDatabase();
      await client.close();
    },
  };
}
