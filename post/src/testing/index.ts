import { deleteTopicsUnder, testServiceEnv, uniqueName, withDatabase } from "@chirp/platform/testing";
import postgres from "postgres";
import { loadConfig, type PostConfig } from "../config.ts";
import { start } from "../main.ts";

// What bench, e2e and scripts use of the service's internals: imported from `@chirp/post/testing`, never by path.
export { PostEnv } from "../config.ts";
export { connectDb } from "../db.ts";
export { pageQuery } from "../stores/post-store.ts";

/** The configuration of a test instance: port 0, its own (not yet created) database, topic prefix and group. */
export function testConfig(overrides: Record<string, string> = {}): PostConfig {
  const base = loadConfig(process.env);
  return loadConfig({
    ...process.env,
    ...testServiceEnv("post"),
    DATABASE_URL: withDatabase(base.DATABASE_URL, uniqueName("post_test")),
    ...overrides,
  });
}

/** Creates the config's database; disposing drops it. */
export async function createTestDatabase(databaseUrl: string) {
  const name = new URL(databaseUrl).pathname.slice(1);
  const admin = postgres(withDatabase(databaseUrl, "postgres"), { max: 1, onnotice: () => {} });
  await admin`create database ${admin(name)}`;
  return {
    async [Symbol.asyncDispose]() {
      await admin`drop database if exists ${admin(name)} with (force)`;
      await admin.end();
    },
  };
}

/**
 * Starts a real post service, in its own new database unless `ownDatabase` is false (a further instance
 * on a database that already exists). Disposing stops it and drops the database and topics it created.
 */
export async function startTestService(config = testConfig(), { ownDatabase = true } = {}) {
  const database = ownDatabase ? await createTestDatabase(config.DATABASE_URL) : undefined;
  const service = await start(config);
  return {
    ...service,
    config,
    async [Symbol.asyncDispose]() {
      await service.stop();
      if (database) {
        await database[Symbol.asyncDispose]();
        await deleteTopicsUnder(config.KAFKA_BROKERS, config.KAFKA_TOPIC_PREFIX);
      }
    },
  };
}
