/**
 * Fault 4: poison messages (not JSON, JSON that breaks the schema, an unknown version) on every consumed
 * topic. Each consumer group sends each of them to `<topic>.dlq` with the reason in the headers, and goes
 * on: a valid event behind them on the same partition (same key) is applied.
 */
import { expect, test } from "bun:test";
import {
  createEvent,
  PostCreated,
  PostEvents,
  SessionEvents,
  SessionRevoked,
  type TopicDefinition,
  UserEvents,
  UserRegistered,
  UserUpdated,
} from "@chirp/contracts";
import { eventually } from "@chirp/platform/testing";
import { authorsProjection } from "../lib/checks.ts";
import { createClient } from "../lib/client.ts";
import { recordResult } from "../lib/results.ts";
import { consumedBy } from "../lib/settle.ts";
import { startStack } from "../lib/stack.ts";
import { openTopics } from "../lib/topics.ts";

const poisons = (key: string) => [
  { key, value: "{not json", kind: "not JSON" },
  { key, value: JSON.stringify({ id: "nope", type: "user.registered", data: {} }), kind: "schema" },
  {
    key,
    value: JSON.stringify({ id: crypto.randomUUID(), type: "user.registered", version: 99, data: {} }),
    kind: "version",
  },
];

test("poison messages on every consumed topic land on its .dlq and consumption goes on", async () => {
  await using stack = await startStack();
  await using topics = await openTopics(stack.brokers, stack.prefix);
  const auth = createClient(stack.auth.url);
  const account = await auth.register("Poisoned");
  const authConsumes = await topics.groupExists(stack.groups.auth);
  const key = account.id;
  const origin = { source: "auth" } as const;
  const topicList: TopicDefinition[] = [UserEvents, SessionEvents, PostEvents];
  const sent = new Map(topicList.map((topic) => [topic.name, poisons(key)]));
  for (const topic of topicList) await topics.send(topics.name(topic), sent.get(topic.name) ?? []);

  // Valid events behind the poison, same key, so the same partition: they are reached only if it moved on.
  const newcomer = createEvent(UserRegistered, { userId: key, name: "After poison", email: "p@example.com" }, origin);
  const sessionId = crypto.randomUUID();
  await topics.publisher.publish(UserEvents, [newcomer]);
  await topics.publisher.publish(SessionEvents, [createEvent(SessionRevoked, { userId: key, sessionId }, origin)]);
  const postId = crypto.randomUUID();
  await topics.publisher.publish(PostEvents, [
    createEvent(PostCreated, { postId, authorId: key, title: "after poison" }, { source: "post" }),
  ]);

  await eventually(async () => (await authorsProjection(stack.postDb)).get(key) !== undefined, {
    what: "the user event behind the poison applied",
  });
  await eventually(
    async () => (await stack.postDb`select 1 from revoked_sessions where session_id = ${sessionId}`).length === 1,
    { what: "the session event behind the poison applied" },
  );
  if (authConsumes) {
    await eventually(async () => (await auth.get(`/api/users/${key}`)).body.postCount === 1, {
      what: "the post event behind the poison counted",
    });
  }

  // Each group dead-letters each poison of each topic it reads, once.
  const groups = authConsumes ? (["post", "auth"] as const) : (["post"] as const);
  const expected: string[] = [];
  for (const group of groups) {
    for (const topic of consumedBy[group]) {
      for (const poison of sent.get(topic.name) ?? [])
        expected.push(`${topic.name}|${stack.groups[group]}|${poison.value}`);
    }
  }
  const seen = await eventually(
    async () => {
      const lines: string[] = [];
      for (const topic of topicList) {
        for (const message of await topics.messages(topics.dlq(topic))) {
          expect(String(message.headers["dlq-reason"] ?? "")).not.toBe("");
          lines.push(`${topic.name}|${message.headers["dlq-consumer-group"]}|${message.value}`);
        }
      }
      return lines.length >= expected.length && lines;
    },
    { timeoutMs: 30_000, what: "every poison on a dead-letter topic" },
  );
  expect(seen.toSorted()).toEqual(expected.toSorted());

  recordResult({
    id: "fault.poison",
    scenario: "poison messages (not JSON, bad schema, unknown version) on every consumed topic",
    checked:
      "each group sends each poison to <topic>.dlq once, with dlq-reason; the valid event behind it (same key) is applied",
    figures: {
      faults: poisons(key).length * topicList.length,
      deadLettered: seen.length,
      consumerGroups: groups.length,
      validEventsAppliedAfter: authConsumes ? 3 : 2,
      lost: 0,
    },
  });
}, 120_000);

test("an event PostgreSQL refuses (a NUL byte) is dead-lettered at its first failure, counted, and holds nothing back", async () => {
  await using stack = await startStack();
  await using topics = await openTopics(stack.brokers, stack.prefix);
  const account = await createClient(stack.auth.url).register("Nul Byte");
  await eventually(async () => (await authorsProjection(stack.postDb)).get(account.id) === "Nul Byte", {
    what: "the author known to post",
  });
  // Valid by the contract, so only PostgreSQL refuses it: as an event published before the edge refused them.
  const origin = { source: "auth" } as const;
  const nul = createEvent(UserUpdated, { userId: account.id, name: "Nul Byte", bio: "s\u0000s" }, origin);
  const behind = createEvent(UserUpdated, { userId: account.id, name: "After the NUL", bio: "" }, origin);
  await topics.publisher.publish(UserEvents, [nul, behind]);

  await eventually(async () => (await authorsProjection(stack.postDb)).get(account.id) === "After the NUL", {
    what: "the update behind the NUL applied",
  });
  const dead = await eventually(
    async () => {
      const messages = await topics.messages(topics.dlq(UserEvents));
      return messages.find((message) => String(message.headers["dlq-consumer-group"]) === stack.groups.post);
    },
    { what: "the NUL event on the dead-letter topic" },
  );
  expect(dead.event?.id).toBe(nul.id);
  expect(String(dead.headers["dlq-reason"])).toBe("handler-failed");

  // Dead-lettered without a retry: the old consumer retried it with backoffs, holding the partition back.
  const metrics = await (await fetch(`${stack.post.url}/metrics`)).text();
  const series = (name: string) =>
    metrics.split("\n").find((line) => line.startsWith(name) && line.includes(`topic="${topics.name(UserEvents)}"`));
  expect(series("kafka_consumer_dead_lettered_total")).toContain('reason="handler-failed"');
  expect(series("kafka_consumer_dead_lettered_total")?.endsWith(" 1")).toBe(true);
  expect(series("kafka_consumer_retries_total")).toBeUndefined();

  recordResult({
    id: "fault.refused-value",
    scenario: "a user.updated whose bio holds a NUL byte, already in Kafka (PostgreSQL refuses it: SQLSTATE 22021)",
    checked:
      "post dead-letters it at its first failure (no retry), counts it in /metrics, and applies the update behind it",
    figures: { deadLettered: 1, retries: 0, appliedAfter: 1 },
  });
}, 120_000);
