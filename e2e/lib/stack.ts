/**
 * The system under test: auth and post as real processes on free ports, with a PostgreSQL database, a
 * MongoDB database, Kafka topics (prefix) and consumer groups of their own. Servers default to the shared
 * ones; fault scenarios pass their private or throwaway servers instead.
 */
import { mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { deleteTopicsUnder, freePort, uniqueName, withDatabase } from "@chirp/platform/testing";
import { MongoClient } from "mongodb";
import postgres from "postgres";
import { mailpitSmtpUrl } from "./mailpit.ts";
import { type ServiceProcess, spawnService } from "./service-process.ts";

export interface StackOptions {
  /** Kafka bootstrap brokers (default: the shared broker). */
  brokers?: string;
  /** A URL of the PostgreSQL server; its path is replaced by the stack's own database. */
  postgresUrl?: string;
  /** A URL of the MongoDB-wire server; its path is replaced by the stack's own database. */
  mongoUrl?: string;
  authEnv?: Record<string, string>;
  postEnv?: Record<string, string>;
}

export interface Stack extends AsyncDisposable {
  name: string;
  auth: ServiceProcess;
  post: ServiceProcess;
  brokers: string[];
  prefix: string;
  groups: { auth: string; post: string };
  /** postgres.js on the post service's database, for checking its state. */
  postDb: postgres.Sql;
  /** The auth service's MongoDB database, for checking its state. */
  authDb: ReturnType<MongoClient["db"]>;
  /** What seals auth's signing keys in `authDb` (the JWT battery reads the real key with it). */
  signingKeySecret: string;
  /** Auth's PUBLIC_APP_URL, of this stack alone: the links in its mails point under it. */
  appUrl: string;
}

const sharedPostgres = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/chirp_post";
const sharedMongo =
  process.env.MONGO_URL ?? "mongodb://127.0.0.1:27017/chirp_auth?directConnection=true&retryWrites=false";
export const logDir = process.env.E2E_LOG_DIR ?? `${tmpdir()}/chirp-e2e-logs`;

export async function startStack(options: StackOptions = {}): Promise<Stack> {
  const name = uniqueName("e2e");
  const brokers = options.brokers ?? process.env.KAFKA_BROKERS ?? "127.0.0.1:9092";
  const databaseUrl = withDatabase(options.postgresUrl ?? sharedPostgres, name);
  const mongoUrl = withDatabase(options.mongoUrl ?? sharedMongo, name);
  const admin = postgres(withDatabase(databaseUrl, "postgres"), { max: 1, onnotice: () => {} });
  await admin`create database ${admin(name)}`;
  mkdirSync(logDir, { recursive: true });

  const authPort = freePort();
  // A secret of the run's own: the images run with NODE_ENV=production, which refuses to start without one.
  const signingKeySecret = options.authEnv?.SIGNING_KEY_SECRET ?? crypto.getRandomValues(new Uint8Array(36)).toBase64();
  const groups = { auth: `${name}-auth`, post: `${name}-post` };
  const appUrl = options.authEnv?.PUBLIC_APP_URL ?? `https://${name.replaceAll("_", "-")}.chirp.test/app`;
  const common = {
    LOG_LEVEL: process.env.E2E_SERVICE_LOG_LEVEL ?? "warn",
    KAFKA_BROKERS: brokers,
    KAFKA_TOPIC_PREFIX: `${name}.`,
    SHUTDOWN_TIMEOUT_MS: "15000",
  };
  const auth = await spawnService(
    "auth",
    authPort,
    {
      ...common,
      MONGO_URL: mongoUrl,
      KAFKA_GROUP_ID: groups.auth,
      TRUST_PROXY: "true",
      SIGNING_KEY_SECRET: signingKeySecret,
      // Load scenarios register their accounts from one client address; the hostile suite sets its own limit.
      REGISTER_MAX_PER_ADDRESS: "1000000",
      // Mail goes to the local Mailpit, where e2e/lib/mailpit.ts reads it.
      SMTP_URL: process.env.SMTP_URL ?? mailpitSmtpUrl,
      PUBLIC_APP_URL: appUrl,
      ...options.authEnv,
    },
    `${logDir}/${name}-auth.log`,
  );
  const post = await spawnService(
    "post",
    freePort(),
    {
      ...common,
      DATABASE_URL: databaseUrl,
      KAFKA_GROUP_ID: groups.post,
      AUTH_URL: auth.url.origin,
      ...options.postEnv,
    },
    `${logDir}/${name}-post.log`,
  );
  const postDb = postgres(databaseUrl, { max: 2, onnotice: () => {} });
  const mongo = await MongoClient.connect(mongoUrl);
  return {
    name,
    auth,
    post,
    brokers: brokers.split(","),
    prefix: common.KAFKA_TOPIC_PREFIX,
    groups,
    postDb,
    authDb: mongo.db(),
    signingKeySecret,
    appUrl,
    async [Symbol.asyncDispose]() {
      for (const service of [post, auth]) if (service.alive()) await service.signal("SIGTERM");
      await postDb.end();
      await mongo
        .db()
        .dropDatabase()
        .catch(() => {});
      await mongo.close();
      await admin`drop database if exists ${admin(name)} with (force)`.catch(() => {});
      await admin.end();
      await deleteTopicsUnder(brokers.split(","), common.KAFKA_TOPIC_PREFIX);
    },
  };
}
