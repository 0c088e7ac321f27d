/**
 * Scenario 6: event lag from `user.registered` to the author being applied in the post service, and from
 * `post.created` to the author's `postCount` counting it in the auth service, at a fixed 1,000 events/s;
 * then the post service's sustained rate. Events are produced straight to the topics (registering through
 * auth would measure argon2 instead), stamped with their send time. The post service's inbox records when
 * the transaction applying each began (`processed_events.processed_at`); the auth service's activity entry,
 * written after the membership, records when it was written (`recordedAt`).
 * The reference is Kafka's own floor on this machine in the same run: the same producer and events, read by
 * a bare kafkajs consumer (same fetch settings, no validation, no database), lag taken on receipt. The
 * registrations run twice: as deployed, and with the auth service frozen, which consumes them too. The
 * sustained rate is how fast the post service applies a backlog, and whether the lag grows at 5,000/s.
 */

import { collections } from "@chirp/auth/testing";
import {
  createEvent,
  PostCreated,
  PostEvents,
  parseEvent,
  type TopicDefinition,
  type TopicEvent,
  UserEvents,
  UserRegistered,
} from "@chirp/contracts";
import { createKafka } from "@chirp/platform/kafka/client";
import { eventHeaders } from "@chirp/platform/kafka/publisher";
import { ensureTopics, physicalName } from "@chirp/platform/kafka/topics";
import { createLogger } from "@chirp/platform/logger";
import { eventually } from "@chirp/platform/testing";
import { MongoClient } from "mongodb";
import postgres from "postgres";
import { cpuPerItem, infraPids, measureCpu, percentBusy } from "../lib/cpu.ts";
import { percentile } from "../lib/open-loop.ts";
import { whileFrozen } from "../lib/processes.ts";
import type { Row } from "../lib/report.ts";
import type { Stack } from "../lib/stack.ts";
import type { Settings } from "./http-overhead.ts";

const TICK_MS = 10;

const benchKafka = (stack: Stack) =>
  createKafka({ clientId: "bench", brokers: stack.kafkaBrokers, logger: createLogger("bench", "warn") });

const registration = () => {
  const userId = `lag-${crypto.randomUUID()}`;
  return createEvent(UserRegistered, { userId, name: "Lag", email: `${userId}@example.com` }, { source: "auth" });
};
/** Posts by `authors`, at random: accounts that exist, as in a real deployment. */
const publicationBy = (authors: readonly string[]) => () =>
  createEvent(
    PostCreated,
    { postId: crypto.randomUUID(), authorId: authors[Math.floor(Math.random() * authors.length)] ?? "", title: "Lag" },
    { source: "post" },
  );

/** `count` accounts written straight into auth's database: the authors of the post events below. */
async function benchAuthors(stack: Stack, count: number) {
  const client = await MongoClient.connect(stack.env.MONGO_URL ?? "");
  try {
    const at = new Date();
    const docs = Array.from({ length: count }, () => {
      const id = `lag-${crypto.randomUUID()}`;
      return { _id: id, email: `${id}@example.com`, name: "Lag", bio: "", createdAt: at, updatedAt: at };
    });
    await client.db().collection<{ _id: string }>(collections.users).insertMany(docs);
    return docs.map((doc) => doc._id);
  } finally {
    await client.close();
  }
}

/**
 * Publishes `rate` events/s made by `make` for `seconds`, in 10 ms batches, to `topic` under `prefix` (the
 * stack's own by default); returns each event's id and send time. The events are built, validated and
 * encoded before the clock starts: the load generator shares the machine's cores, so it spends them on
 * sending only.
 */
async function produce<T extends TopicDefinition>(
  stack: Stack,
  topicDefinition: T,
  make: () => TopicEvent<T>,
  rate: number,
  seconds: number,
  prefix = stack.env.KAFKA_TOPIC_PREFIX ?? "",
) {
  const producer = benchKafka(stack).producer();
  await producer.connect();
  const topic = physicalName(prefix, topicDefinition);
  const perTick = Math.max(1, Math.round((rate * TICK_MS) / 1000));
  const batches = Array.from({ length: (seconds * 1000) / TICK_MS }, () =>
    Array.from({ length: perTick }, () => {
      const event = make();
      const checked = parseEvent(topicDefinition, event);
      if (!checked.ok) throw new Error(`the bench built an invalid event: ${checked.message}`);
      return {
        id: event.id,
        key: topicDefinition.key(event),
        value: JSON.stringify(event),
        headers: eventHeaders(event),
      };
    }),
  );
  const sent = new Map<string, number>();
  const start = performance.now();
  const sends: Promise<unknown>[] = [];
  try {
    for (const [tick, messages] of batches.entries()) {
      const due = start + tick * TICK_MS;
      if (due > performance.now()) await Bun.sleep(due - performance.now());
      const now = Date.now();
      for (const message of messages) sent.set(message.id, now);
      sends.push(producer.send({ topic, acks: -1, messages }));
    }
    await Promise.all(sends);
  } finally {
    await producer.disconnect();
  }
  return sent;
}

/** Waits until the post service has applied every event, then reads each one's lag in ms. */
async function postLags(stack: Stack, sent: Map<string, number>) {
  const sql = postgres(stack.databaseUrl, { max: 1 });
  const ids = [...sent.keys()];
  try {
    await eventually(
      async () => {
        const [row] = await sql<{ n: number }[]>`
          select count(*)::int as n from processed_events where event_id = any(${ids}::uuid[])`;
        return (row?.n ?? 0) === ids.length;
      },
      { timeoutMs: 120_000, intervalMs: 100, what: `${ids.length} events applied` },
    );
    const rows = await sql<{ event_id: string; at: number }[]>`
      select event_id, extract(epoch from processed_at) * 1000 as at
      from processed_events where event_id = any(${ids}::uuid[])`;
    return rows.map((row) => ({
      sentAt: sent.get(row.event_id) ?? 0,
      lag: Number(row.at) - (sent.get(row.event_id) ?? 0),
    }));
  } finally {
    await sql.end();
  }
}

/**
 * Waits until the auth service has committed every event of `topic` (it commits after applying), then reads
 * each one's lag in ms from its activity entry, written last. The wait asks Kafka, not FerretDB: there each
 * question would be a collection scan, loading the server being measured.
 */
async function authLags(stack: Stack, topicDefinition: TopicDefinition, sent: Map<string, number>) {
  const topic = physicalName(stack.env.KAFKA_TOPIC_PREFIX ?? "", topicDefinition);
  const admin = benchKafka(stack).admin();
  await admin.connect();
  const client = await MongoClient.connect(stack.env.MONGO_URL ?? "");
  try {
    const ends = new Map((await admin.fetchTopicOffsets(topic)).map((p) => [p.partition, Number(p.high)]));
    await eventually(
      async () => {
        const [committed] = await admin.fetchOffsets({ groupId: stack.env.KAFKA_GROUP_ID ?? "auth", topics: [topic] });
        return (committed?.partitions ?? []).every((p) => Number(p.offset) >= (ends.get(p.partition) ?? 0));
      },
      { timeoutMs: 120_000, intervalMs: 50, what: `${sent.size} events applied by auth` },
    );
    const ids = [...sent.keys()];
    const activity = client.db().collection<{ _id: string; recordedAt: Date }>(collections.activity);
    const docs = await activity.find({ _id: { $in: ids } }, { projection: { recordedAt: 1 } }).toArray();
    if (docs.length !== ids.length) throw new Error(`auth committed ${ids.length} events but recorded ${docs.length}`);
    return docs.map((doc) => doc.recordedAt.getTime() - (sent.get(doc._id) ?? 0));
  } finally {
    await client.close();
    await admin.disconnect();
  }
}

/** The median time of `count` runs of `work`, one after another. */
async function medianMs(count: number, work: (i: number) => Promise<unknown>) {
  const times: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    await work(i);
    times.push(performance.now() - started);
  }
  return percentile(
    times.sort((a, b) => a - b),
    50,
  );
}

/**
 * The auth store's own floor: the median time of one insert into FerretDB on this machine, now (each insert
 * is a transaction that SQLite syncs to disk before answering). Applying a `post.created` takes two.
 */
async function insertFloor(stack: Stack) {
  const client = await MongoClient.connect(stack.env.MONGO_URL ?? "");
  const scratch = client.db().collection<{ _id: number }>("bench_insert_floor");
  try {
    return await medianMs(200, (i) => scratch.insertOne({ _id: i }));
  } finally {
    await scratch.drop();
    await client.close();
  }
}

/**
 * The post store's own floor: the median time of one committed insert into PostgreSQL on this machine, now.
 * `processed_at` is when the transaction applying an event began, so the author is visible about this much
 * later than the lag the bench reads.
 */
async function commitFloor(stack: Stack) {
  const sql = postgres(stack.databaseUrl, { max: 1, onnotice: () => {} });
  try {
    await sql`create table if not exists bench_commit_floor (id int primary key)`;
    return await medianMs(200, (i) => sql`insert into bench_commit_floor values (${i})`);
  } finally {
    await sql`drop table if exists bench_commit_floor`;
    await sql.end();
  }
}

/** Kafka's floor: `rate` events/s through a topic of the services' partition count, read by a bare consumer. */
async function kafkaFloor(stack: Stack, rate: number, seconds: number) {
  const kafka = benchKafka(stack);
  const prefix = `${stack.env.KAFKA_TOPIC_PREFIX ?? ""}reference.`;
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(admin, [UserEvents], { prefix, partitions: 6, replicationFactor: 1 });
  // The post service's fetch settings: answered as soon as anything is there, held at most 10 ms otherwise.
  const consumer = kafka.consumer({ groupId: `${prefix}floor`, maxWaitTimeInMs: 10, minBytes: 1 });
  const received = new Map<string, number>();
  try {
    await consumer.connect();
    await consumer.subscribe({ topic: physicalName(prefix, UserEvents), fromBeginning: true });
    const joined = new Promise((resolve) => consumer.on(consumer.events.GROUP_JOIN, resolve));
    await consumer.run({
      eachBatch: async ({ batch }) => {
        const now = Date.now();
        for (const message of batch.messages) received.set(JSON.parse(String(message.value)).id, now);
      },
    });
    await joined;
    const sent = await produce(stack, UserEvents, registration, rate, seconds, prefix);
    await eventually(async () => received.size >= sent.size, {
      timeoutMs: 60_000,
      intervalMs: 50,
      what: `${sent.size} reference events received`,
    });
    return [...sent].map(([id, at]) => (received.get(id) ?? Number.NaN) - at).sort((a, b) => a - b);
  } finally {
    await consumer.disconnect();
    await admin.disconnect();
  }
}

export async function eventLag(stack: Stack, settings: Settings, report: (row: Row) => void) {
  const floor = await kafkaFloor(stack, 1000, settings.seconds);
  // First, while auth is idle: the registrations below leave it a backlog of welcome e-mails to send.
  const insertMs = await insertFloor(stack);
  const commitMs = await commitFloor(stack);
  const publication = publicationBy(await benchAuthors(stack, 200));
  const [counted, authCpu] = await measureCpu(
    async () => {
      const published = await produce(stack, PostEvents, publication, 1000, settings.seconds);
      return (await authLags(stack, PostEvents, published)).sort((a, b) => a - b);
    },
    { auth: stack.auth.pid, ...(await infraPids()) },
  );
  report({
    scenario: "event lag post created -> postCount (1,000/s)",
    rps: 1000,
    p50Ms: percentile(counted, 50),
    p99Ms: percentile(counted, 99),
    reference: "bare kafkajs consumer p50 (ms)",
    referenceValue: percentile(floor, 50),
    goal: "p50 <= 5, p99 <= 25 ms",
    pass: percentile(counted, 50) <= 5 && percentile(counted, 99) <= 25,
    note: `${counted.length} events; ${percentBusy(authCpu)}; CPU ms per event: ${cpuPerItem(authCpu, counted.length, ["auth", "ferretdb", "kafka"])}; one FerretDB insert p50 ${insertMs.toFixed(1)} ms (applying takes two and a read)`,
  });

  const registrations = async (scenario: string, extraNote = "") => {
    // Until every event is applied, with the load generator's share: at 1,000/s the machine is nearly busy.
    const [steady, cpu] = await measureCpu(
      async () => postLags(stack, await produce(stack, UserEvents, registration, 1000, settings.seconds)),
      { post: stack.post.pid, auth: stack.auth.pid, bench: process.pid, ...(await infraPids()) },
    );
    const lags = steady.map((entry) => entry.lag).sort((a, b) => a - b);
    const [p50, p99] = [percentile(lags, 50), percentile(lags, 99)];
    const perEvent = cpuPerItem(cpu, lags.length, ["post", "postgres", "kafka", "auth", "ferretdb", "bench"]);
    report({
      scenario,
      rps: 1000,
      p50Ms: p50,
      p99Ms: p99,
      reference: "bare kafkajs consumer p50 (ms)",
      referenceValue: percentile(floor, 50),
      goal: "p50 <= 5, p99 <= 25 ms",
      pass: p50 <= 5 && p99 <= 25,
      note: `${lags.length} events; ${percentBusy(cpu)}; CPU ms per event: ${perEvent}; Kafka alone: p50 ${percentile(floor, 50).toFixed(0)} ms, p99 ${percentile(floor, 99).toFixed(0)} ms; lag read at the applying transaction's start, visible one commit later (p50 ${commitMs.toFixed(1)} ms)${extraNote}`,
    });
  };
  await registrations("event lag register -> author (1,000/s)");
  // The auth service consumes the same registrations (activity log, welcome e-mails), on the same two cores.
  // Frozen (SIGSTOP) for one more run, it shows what the post service's own pipeline adds to Kafka's floor.
  await whileFrozen(stack.auth.pid, () =>
    registrations(
      "event lag register -> author, auth paused",
      "; the auth service frozen meanwhile: post's own pipeline",
    ),
  );

  // Capacity: a backlog produced while the post service is frozen, then how fast it applies it. (Applied over
  // offered, the rate would stay under 5,000/s by the last event's lag, however fast the consumer.)
  const backlog = await whileFrozen(stack.post.pid, () =>
    produce(stack, UserEvents, registration, 5000, settings.seconds),
  );
  const resumed = Date.now();
  const drained = await postLags(stack, backlog);
  const drainRate = drained.length / ((Math.max(...drained.map((entry) => entry.sentAt + entry.lag)) - resumed) / 1000);

  const burst = await postLags(stack, await produce(stack, UserEvents, registration, 5000, settings.seconds));
  const byTime = [...burst].sort((a, b) => a.sentAt - b.sentAt);
  const half = Math.floor(byTime.length / 2);
  const medianLag = (entries: typeof burst) =>
    percentile(
      entries.map((entry) => entry.lag).sort((a, b) => a - b),
      50,
    );
  const [early, late] = [medianLag(byTime.slice(0, half)), medianLag(byTime.slice(half))];
  report({
    scenario: "events applied/s (a backlog; then 5,000/s offered)",
    rps: drainRate,
    p50Ms: late,
    goal: ">= 5000/s, no lag growth",
    pass: drainRate >= 5000 && late <= early * 2 + 5,
    note: `a backlog of ${drained.length} events applied at ${drainRate.toFixed(0)}/s once the post service resumed; then ${burst.length} events at 5,000/s: p50 lag first half ${early.toFixed(1)} ms, second half ${late.toFixed(1)} ms`,
  });
}
