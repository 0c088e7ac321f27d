/** The system under test: both services as real processes on free ports, with databases and topics of their own. */
import { deleteTopicsUnder, freePort, uniqueName, withDatabase } from "@chirp/platform/testing";
import { MongoClient } from "mongodb";
import postgres from "postgres";
import { containerCommand, containerName, containerPid, stopContainer } from "../../e2e/lib/container.ts";
import { rssOf, type Started, startProcess } from "./processes.ts";

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

/**
 * How the services run: from source, as the executables `compileServices` builds (with or without
 * bytecode), or as their images under podman (`container`: the images scripts/images built, run as
 * e2e/lib/container.ts runs them; the runner must have podman configured, see scripts/podman-env.sh).
 */
export type RunMode = "source" | "compiled" | "bytecode" | "container";

const root = new URL("../..", import.meta.url).pathname;
/** Where `compileServices` puts a service's executable for a compiled mode. */
export const executable = (service: string, mode: Exclude<RunMode, "source">) =>
  `${root}.cache/bench/${service}-${mode}`;

/**
 * One service as its image, timed from `podman run` to `/readyz` 200 (container creation included); its
 * resident memory is the service process's inside the container, and it stops as an orchestrator stops it.
 */
async function startContainer(service: string, env: Record<string, string>, url: string) {
  const name = containerName(`bench-${service}`, Number(env.PORT));
  const started = await startProcess(containerCommand(service, name, env), {}, url, "/readyz");
  const pid = await containerPid(name);
  // Not a signal to `podman run` (it would forward it to a container already gone): podman stop, then its exit.
  const stop = async () => {
    await stopContainer(name);
    await started.exited;
  };
  return { ...started, pid, rssMiB: () => rssOf(pid), stop, [Symbol.asyncDispose]: stop };
}

/** Starts auth then post (each timed from process start to `/readyz` 200). */
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
    // The scenarios register their accounts from one address.
    REGISTER_MAX_PER_ADDRESS: "1000000",
    FORGOT_MAX_PER_ADDRESS: "1000000",
  };
  const start = (service: string, port: number) => {
    const url = `http://127.0.0.1:${port}`;
    const serviceEnv = { ...env, PORT: `${port}` };
    if (command === "container") return startContainer(service, serviceEnv, url);
    const binary = command === "source" ? ["bun", `${service}/src/main.ts`] : [executable(service, command)];
    return startProcess(binary, serviceEnv, url, "/readyz");
  };
  const kafkaBrokers = (process.env.KAFKA_BROKERS ?? "127.0.0.1:9092").split(",");
  const startAuth = () => start("auth", authPort);
  const startPost = () => start("post", postPort);
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
