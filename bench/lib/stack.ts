/** The system under test: both services as real processes on free ports, with databases and topics of their own. */
import { deleteTopicsUnder, freePort, uniqueName, withDatabase } from "@chirp/platform/testing";
import { MongoClient } from "mongodb";
import postgres from "postgres";
import { type Started, startProcess } from "./processes.ts";

const defaults = {
  mongo: process.env.MONGO_URL ?? "mongodb://127.0.0.1:27017/chirp_auth?directConnection=true&retryWrites=false",
  postgres: process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/chirp_post",
};

export interface Stack {
  auth: Started & { startMs: number };
  post: Started & { startMs: number };
  env: Record<string, string>;
  databaseUrl: string;
  kafkaBrokers: string[];
  /** Stops both services and starts them again on what they set up (schema, indexes, topics, keys). */
  restart(): Promise<void>;
  stop(): Promise<void>;
}

/** Starts auth then post (each timed from process start to `/readyz` 200). */
/** How the services run: from source, or as the executables `compileServices` builds (with or without bytecode). */
export type RunMode = "source" | "compiled" | "bytecode";

const root = new URL("../..", import.meta.url).pathname;
/** Where `compileServices` puts a service's executable for a compiled mode. */
export const executable = (service: string, mode: Exclude<RunMode, "source">) =>
  `${root}.cache/bench/${service}-${mode}`;

export async function startStack(command: RunMode = "source"): Promise<Stack> {
  const name = uniqueName("bench");
  const databaseUrl = withDatabase(defaults.postgres, name);
  const admin = postgres(withDatabase(defaults.postgres, "postgres"), { max: 1, onnotice: () => {} });
  await admin`create database ${admin(name)}`;
  const authPort = freePort();
  const postPort = freePort();
  const env = {
    LOG_LEVEL: "warn",
    HOST: "127.0.0.1",
    KAFKA_TOPIC_PREFIX: `${name}.`,
    MONGO_URL: withDatabase(defaults.mongo, name),
    DATABASE_URL: databaseUrl,
    AUTH_URL: `http://127.0.0.1:${authPort}`,
    // The login scenarios race many logins for one account from one address, and a login in flight counts
    // against the throttle until it succeeds: they measure hashing and admission, not throttling.
    LOGIN_MAX_FAILURES_PER_ACCOUNT: "100000",
    LOGIN_MAX_FAILURES_PER_ADDRESS: "100000",
  };
  const binary = (service: string) =>
    command === "source" ? ["bun", `${service}/src/main.ts`] : [executable(service, command)];
  const kafkaBrokers = (process.env.KAFKA_BROKERS ?? "127.0.0.1:9092").split(",");
  const startAuth = () => startProcess(binary("auth"), { ...env, PORT: `${authPort}` }, env.AUTH_URL, "/readyz");
  const startPost = () =>
    startProcess(binary("post"), { ...env, PORT: `${postPort}` }, `http://127.0.0.1:${postPort}`, "/readyz");
  const stack: Stack = {
    auth: await startAuth(),
    post: await startPost(),
    env,
    databaseUrl,
    kafkaBrokers,
    async restart() {
      await Promise.all([stack.auth.stop(), stack.post.stop()]);
      stack.auth = await startAuth();
      stack.post = await startPost();
    },
    /** Stops both services and removes what the run created: its databases and its topics. */
    async stop() {
      await Promise.all([stack.auth.stop(), stack.post.stop()]);
      await admin`drop database if exists ${admin(name)} with (force)`;
      await admin.end();
      const mongo = await MongoClient.connect(env.MONGO_URL);
      await mongo.db().dropDatabase();
      await mongo.close();
      await deleteTopicsUnder(kafkaBrokers, env.KAFKA_TOPIC_PREFIX);
    },
  };
  return stack;
}
