/**
 * Fault 2: the post service is killed with SIGKILL while it consumes a burst of user events, then started
 * again. Offsets committed before the kill lag behind what was applied, so part of the burst is delivered
 * twice; the inbox must skip those, and the rest must still be applied: nothing lost, nothing applied twice.
 */
import { expect, test } from "bun:test";
import { createEvent, PostEvents, UserDeleted, UserEvents, UserRegistered, UserUpdated } from "@chirp/contracts";
import { eventually } from "@chirp/platform/testing";
import { authorsProjection, countRows } from "../lib/checks.ts";
import { recordResult } from "../lib/results.ts";
import { startStack } from "../lib/stack.ts";
import { openTopics } from "../lib/topics.ts";

const users = 1000;
const deletedUsers = 100;
const origin = { source: "auth" } as const;

test("a post service killed mid-burst and restarted applies every event once", async () => {
  await using stack = await startStack();
  await using topics = await openTopics(stack.brokers, stack.prefix);
  const ids = Array.from({ length: users }, () => crypto.randomUUID());
  // Users to be deleted own a post each, so a cascade applied twice would announce a post twice.
  const ownedPosts = ids.slice(0, deletedUsers).map((authorId) => ({ id: crypto.randomUUID(), authorId }));
  for (const post of ownedPosts) {
    await stack.postDb`insert into posts (id, author_id, title, content) values (${post.id}, ${post.authorId}, 't', 'c')`;
  }
  const burst = ids.flatMap((userId, i) => [
    createEvent(UserRegistered, { userId, name: `first ${i}`, email: `u${i}@example.com` }, origin),
    createEvent(UserUpdated, { userId, name: `final ${i}`, bio: "" }, origin),
    ...(i < deletedUsers ? [createEvent(UserDeleted, { userId }, origin)] : []),
  ]);
  for (let i = 0; i < burst.length; i += 500) await topics.publisher.publish(UserEvents, burst.slice(i, i + 500));

  const userTopic = topics.name(UserEvents);
  await eventually(
    async () => {
      const n = await countRows(stack.postDb, "processed_events");
      return n >= burst.length * 0.2 && n;
    },
    { timeoutMs: 60_000, intervalMs: 5, what: "a fifth of the burst applied" },
  );
  const exitCode = await stack.post.signal("SIGKILL");
  const appliedAfterKill = await countRows(stack.postDb, "processed_events");
  const atKill = await topics.committed(stack.groups.post, userTopic);
  expect(appliedAfterKill).toBeLessThan(burst.length);

  await stack.post.restart();
  await eventually(async () => (await topics.committed(stack.groups.post, userTopic)).committed === burst.length, {
    timeoutMs: 120_000,
    what: "the post group's offsets at the end of user-events",
  });

  expect(await countRows(stack.postDb, "processed_events")).toBe(burst.length);
  const expected = new Map(ids.slice(deletedUsers).map((id) => [id, `final ${ids.indexOf(id)}`]));
  expect(await authorsProjection(stack.postDb)).toEqual(expected);
  expect(await countRows(stack.postDb, "posts")).toBe(0);
  await eventually(async () => (await countRows(stack.postDb, "outbox")) === 0, { what: "the outbox drained" });
  // One post.deleted per post; two distinct event ids for one post would mean the cascade ran twice.
  const deleted = (await topics.events(PostEvents)).filter((e) => e.type === "post.deleted");
  const eventIdsByPost = new Map<string, Set<string>>();
  for (const event of deleted) {
    const postId = String(event.data.postId);
    eventIdsByPost.set(postId, (eventIdsByPost.get(postId) ?? new Set()).add(event.id));
  }
  expect([...eventIdsByPost.keys()].toSorted()).toEqual(ownedPosts.map((p) => p.id).toSorted());
  const appliedTwice = [...eventIdsByPost.values()].filter((set) => set.size > 1).length;
  expect(appliedTwice).toBe(0);
  expect(await topics.size(topics.dlq(UserEvents))).toBe(0);

  recordResult({
    id: "fault.sigkill-consumer",
    scenario: "post killed (SIGKILL) mid-burst of user events, restarted",
    checked:
      "processed_events = burst size; authors projection exact (final names, deleted users gone); their posts deleted with one post.deleted each; group offsets at the end; DLQ empty",
    figures: {
      faults: 1,
      events: burst.length,
      appliedBeforeKill: appliedAfterKill,
      committedAtKill: atKill.committed,
      redelivered: Math.max(0, appliedAfterKill - atKill.committed),
      killExitCode: String(exitCode),
      lost: burst.length - (await countRows(stack.postDb, "processed_events")),
      appliedTwice,
      deadLettered: 0,
    },
  });
}, 240_000);
