/**
 * Fault 6: SIGTERM to the post service while it serves writes and consumes events. A graceful stop must
 * finish the requests it accepted (none cut off, none 5xx), publish every event its commits queued (the
 * outbox is empty when the process has exited) and commit the offsets of every event it applied (so a
 * restart redelivers nothing it already did).
 */
import { expect, test } from "bun:test";
import { createEvent, PostEvents, UserEvents, UserUpdated } from "@chirp/contracts";
import { eventually } from "@chirp/platform/testing";
import { countRows, createPost } from "../lib/checks.ts";
import { createClient, type Reply, Tally } from "../lib/client.ts";
import { startLoad } from "../lib/load.ts";
import { recordResult } from "../lib/results.ts";
import { startStack } from "../lib/stack.ts";
import { duplicates } from "../lib/stats.ts";
import { openTopics } from "../lib/topics.ts";

test("SIGTERM under load: accepted requests finish, the outbox is flushed, applied events' offsets are committed", async () => {
  await using stack = await startStack();
  await using topics = await openTopics(stack.brokers, stack.prefix);
  const tally = new Tally();
  const auth = createClient(stack.auth.url, tally);
  const post = createClient(stack.post.url, tally);
  const writers = await Promise.all([auth.register("Writer A"), auth.register("Writer B")]);
  // Every registration is consumed by post; wait for both before measuring.
  await eventually(async () => (await countRows(stack.postDb, "authors")) === writers.length, { timeoutMs: 30_000 });

  // Writes in flight: each reply is kept with the time its request left, to judge those sent before the signal.
  const replies: { sentAt: number; reply: Reply }[] = [];
  const created: string[] = [];
  const writes = startLoad(
    4,
    async (worker) => {
      const sentAt = performance.now();
      const writer = writers[worker % writers.length];
      if (!writer) return;
      const reply = await post.call("POST", "/api/posts", {
        body: { title: `w${worker}`, content: "written while the service stops" },
        token: writer.accessToken,
      });
      replies.push({ sentAt, reply });
      if (reply.status === 201) created.push(reply.body.id);
    },
    { maxStepsPerWorker: 400 },
  );
  // Events to consume at the same time: renames of the writers, straight onto user-events.
  const renames = startLoad(
    1,
    async () => {
      const events = writers.map((writer, i) =>
        createEvent(UserUpdated, { userId: writer.id, name: `${writer.name} ${i}`, bio: "" }, { source: "auth" }),
      );
      await topics.publisher.publish(UserEvents, events);
    },
    { maxStepsPerWorker: 200 },
  );
  await eventually(() => created.length >= 40, { timeoutMs: 30_000, what: "40 posts before the signal" });

  const signalledAt = performance.now();
  const exitCode = await stack.post.signal("SIGTERM");
  await renames.stop();
  await writes.stop();

  const accepted = replies.filter(({ sentAt, reply }) => sentAt < signalledAt && reply.status !== 0);
  const cutOff = replies.filter(({ sentAt, reply }) => sentAt < signalledAt && reply.status === 0);
  const afterSignal = replies.filter(({ sentAt }) => sentAt >= signalledAt);
  expect(exitCode).toBe(0);
  expect(cutOff.map(({ reply }) => reply.body)).toEqual([]);
  expect(accepted.filter(({ reply }) => reply.status !== 201).map(({ reply }) => reply.status)).toEqual([]);
  // Requests after the signal are refused at the door (connection refused), never half-done.
  expect(afterSignal.filter(({ reply }) => reply.status !== 0 && reply.status !== 201)).toEqual([]);

  // The outbox was flushed before exit: nothing left, and every created post's event is on the topic, once.
  expect(await countRows(stack.postDb, "outbox")).toBe(0);
  const postCreated = (await topics.events(PostEvents)).filter((event) => event.type === "post.created");
  const announced = postCreated.map((event) => event.data.postId as string);
  expect(duplicates(announced)).toEqual([]);
  expect(announced.toSorted()).toEqual(created.toSorted());

  // Offsets: the group committed exactly the user-events it applied (registrations + renames), no fewer.
  const userEventIds = (await topics.events(UserEvents)).map((event) => event.id);
  const appliedOf = async () => {
    const [row] = await stack.postDb<{ n: number }[]>`
      select count(*)::int as n from processed_events where event_id = any(${userEventIds}::uuid[])`;
    return row?.n ?? 0;
  };
  const applied = await appliedOf();
  const userEvents = await topics.committed(stack.groups.post, topics.name(UserEvents));
  expect(userEvents.committed).toBe(applied);

  // And it starts again where it stopped.
  await stack.post.restart();
  await eventually(async () => (await appliedOf()) === userEventIds.length, {
    timeoutMs: 30_000,
    what: "the rest of user-events applied after the restart",
  });
  const afterRestart = await createPost(post, writers[0]?.accessToken ?? "", "after restart");
  expect(afterRestart).toBeTruthy();
  expect(tally.serverErrors).toBe(0);

  recordResult({
    id: "fault.sigterm-drain",
    scenario: "SIGTERM under load",
    checked:
      "exit code 0; requests sent before the signal all answered 201 (none cut off, none 5xx); outbox empty at exit and every created post's post.created on the topic once; group offsets = events applied; restart applies the rest",
    figures: {
      faults: 1,
      requests: tally.requests,
      inFlightAtSignal: accepted.filter(({ sentAt, reply }) => sentAt + reply.ms > signalledAt).length,
      acceptedBeforeSignal: accepted.length,
      cutOff: cutOff.length,
      refusedAfterSignal: afterSignal.filter(({ reply }) => reply.status === 0).length,
      postsCreated: created.length,
      eventsPublished: announced.length,
      eventsApplied: applied,
      offsetsCommitted: userEvents.committed,
      lost: created.length - new Set(announced).size,
      duplicated: announced.length - new Set(announced).size,
      serverErrors: tally.serverErrors,
    },
  });
}, 180_000);
