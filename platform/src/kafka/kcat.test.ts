import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import {
  createEvent,
  PostCreated,
  PostEvents,
  SessionEvents,
  SessionRevoked,
  snapshotName,
  type TopicDefinition,
  type TopicEvent,
  UserEvents,
  UserRegistered,
} from "@chirp/contracts";
import Ajv2020 from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import type { Producer } from "kafkajs";
import { createLogger } from "../logger.ts";
import { uniqueName } from "../testing.ts";
import { createKafka } from "./client.ts";
import { createPublisher } from "./publisher.ts";
import { ensureTopics, physicalName } from "./topics.ts";

const brokers = (process.env.KAFKA_BROKERS ?? "127.0.0.1:9092").split(",");
const logger = createLogger("kcat-test", process.env.TEST_LOG_LEVEL ?? "silent");
const kafka = createKafka({ clientId: "kcat-test", brokers, logger });
const admin = kafka.admin();
let producer: Producer;
const createdTopics: string[] = [];
const prefix = `${uniqueName("kcat")}.`;
const snapshots = new URL("../../../contracts/schemas/", import.meta.url);
const ajv = addFormats(new Ajv2020({ strict: true, allErrors: true }));

/** One message as `kcat -J` prints it. */
interface KcatMessage {
  key: string | null;
  payload: string | null;
  headers?: string[];
}

/** Reads a whole topic the way another team or language would: with kcat, not kafkajs. */
async function kcat(topic: string): Promise<KcatMessage[]> {
  if (!Bun.which("kcat")) throw new Error("kcat is not installed: run scripts/ensure-tools (CI does)");
  const proc = Bun.spawn(["kcat", "-b", brokers.join(","), "-t", topic, "-C", "-o", "beginning", "-e", "-q", "-J"], {
    stdout: "pipe",
    stderr: "pipe",
    timeout: 30_000,
  });
  const [out, err, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  if (code !== 0) throw new Error(`kcat exited with ${code}: ${err}`);
  return out
    .split("\n")
    .filter((line) => line.trim())
    .map((line) => JSON.parse(line) as KcatMessage);
}

beforeAll(async () => {
  await admin.connect();
  createdTopics.push(
    ...(await ensureTopics(admin, [UserEvents, SessionEvents, PostEvents], {
      prefix,
      partitions: 3,
      replicationFactor: 1,
    })),
  );
  producer = kafka.producer();
  await producer.connect();
});

afterAll(async () => {
  if (createdTopics.length > 0) await admin.deleteTopics({ topics: createdTopics });
  await producer.disconnect();
  await admin.disconnect();
});

const origin = { source: "auth", correlationId: "req-42" } as const;
const cases: [string, TopicDefinition, TopicEvent<TopicDefinition>, string][] = [
  [
    "user-events",
    UserEvents,
    createEvent(UserRegistered, { userId: "u-1", name: "Ada", email: "ada@example.com" }, origin),
    "u-1",
  ],
  ["session-events", SessionEvents, createEvent(SessionRevoked, { userId: "u-2", all: true }, origin), "u-2"],
  [
    "post-events",
    PostEvents,
    createEvent(PostCreated, { postId: "p-3", authorId: "u-1", title: "Hi" }, { source: "post" }),
    "p-3",
  ],
];

describe("messages on the wire, read with kcat", () => {
  test.each(cases)(
    "a %s message published by the platform validates against its committed JSON Schema",
    async (_, topic, event, key) => {
      await createPublisher(producer, prefix).publish(topic, [event]);
      const [message, ...rest] = await kcat(physicalName(prefix, topic));
      expect(rest).toEqual([]);
      const schema = await Bun.file(new URL(`${snapshotName(event)}.json`, snapshots)).json();
      const validate = ajv.compile(schema);
      const payload = JSON.parse(message?.payload ?? "null");
      expect({ valid: validate(payload), errors: validate.errors ?? null }).toEqual({ valid: true, errors: null });
      expect(payload).toEqual(event);
      expect(message?.key).toBe(key);
      const headers = message?.headers ?? [];
      const header = (name: string) => headers[headers.indexOf(name) + 1];
      expect([header("event-id"), header("event-type"), header("event-version")]).toEqual([event.id, event.type, "1"]);
    },
  );
});
