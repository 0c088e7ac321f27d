import { deleteTopicsUnder, eventually, testServiceEnv, uniqueName, withDatabase } from "@chirp/platform/testing";
import { type Db, MongoClient } from "mongodb";
import { type AuthConfig, loadConfig } from "../config.ts";
import { collections } from "../db.ts";
import { start } from "../main.ts";
import type { NotificationKind } from "../stores/notification-store.ts";

// What bench, e2e and scripts use of the service's internals: imported from `@chirp/auth/testing`, never by path.
export { AuthEnv, loadConfig } from "../config.ts";
export { collections, ensureIndexes } from "../db.ts";
export { createEventOutbox } from "../events/outbox.ts";
export { openKeyRing } from "../main.ts";
export { argon2Params } from "../passwords/policy.ts";
export { createMongoUserStore } from "../stores/user-store.ts";

/** The configuration of a test instance: port 0, its own database and topic prefix, quiet logs. */
export function testConfig(overrides: Record<string, string> = {}): AuthConfig {
  const base = loadConfig(process.env);
  return loadConfig({
    ...process.env,
    ...testServiceEnv("auth"),
    MONGO_URL: withDatabase(base.MONGO_URL, uniqueName("auth_test")),
    // Tests name their client address in X-Forwarded-For (see testClient), so each test throttles apart.
    TRUST_PROXY: "true",
    // Suites register many accounts from one client; register-throttle.test.ts sets its own limit.
    REGISTER_MAX_PER_ADDRESS: "1000000",
    KAFKA_TOPIC_PARTITIONS: "2",
    // Fast retries, so delivery failures and recoveries show within a test's patience.
    NOTIFY_BACKOFF_INITIAL_MS: "50",
    NOTIFY_BACKOFF_MAX_MS: "200",
    NOTIFY_SCAN_EVERY_MS: "50",
    CONSUMER_RETRY_INITIAL_MS: "20",
    ...overrides,
  });
}

/** Starts a real auth service; disposing it stops the service and drops its database and topics. */
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
      await deleteTopicsUnder(config.KAFKA_BROKERS, config.KAFKA_TOPIC_PREFIX);
    },
  };
}

type TestService = Awaited<ReturnType<typeof startTestService>>;

/** A JSON client for a test service; each client has its own address, so throttling tests stay apart. */
export function testClient(service: { url: URL }, address = `10.${rand()}.${rand()}.${rand()}`) {
  async function call(method: string, path: string, options: { body?: unknown; token?: string } = {}) {
    const headers: Record<string, string> = { "x-forwarded-for": address };
    if (options.body !== undefined) headers["content-type"] = "application/json";
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    const res = await fetch(new URL(path, service.url), {
      method,
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: (text ? JSON.parse(text) : null) as Json };
  }
  return {
    address,
    call,
    get: (path: string, token?: string) => call("GET", path, { token }),
    post: (path: string, body: unknown, token?: string) => call("POST", path, { body, token }),
    /** Registers a fresh account and returns the 201 body with the password used. */
    async register(name = "Ada", password = "correct horse battery") {
      const email = `${uniqueName(name.toLowerCase())}@example.com`;
      const res = await call("POST", "/api/auth/register", { body: { name, email, password } });
      if (res.status !== 201) throw new Error(`register answered ${res.status}: ${JSON.stringify(res.body)}`);
      return { ...(res.body as Registered), email, password };
    },
  };
}

/**
 * The one-time token of the newest mail of `kind` queued for the user, read from its notification (the link's
 * `token` parameter), polling until it is there: some are queued after the response.
 */
export async function mailedToken(service: { db: Db }, userId: string, kind: NotificationKind): Promise<string> {
  return eventually(
    async () => {
      const [mail] = await service.db
        .collection<{ userId: string; kind: string; text: string; createdAt: Date }>(collections.notifications)
        .find({ userId, kind })
        .sort({ createdAt: -1 })
        .limit(1)
        .toArray();
      return mail && /[?&]token=([\w-]+)/.exec(mail.text)?.[1];
    },
    { what: `a ${kind} mail for ${userId}` },
  );
}

const rand = () => Math.floor(Math.random() * 250) + 1;

// biome-ignore lint/suspicious/noExplicitAny: test bodies are read loosely and checked with toEqual.
export type Json = any;

export interface Registered {
  user: {
    id: string;
    name: string;
    email: string;
    bio: string;
    createdAt: string;
    postCount: number;
    emailVerified: boolean;
    role: "user" | "admin";
  };
  accessToken: string;
  refreshToken: string;
}

export type { TestService };
