/**
 * Fault 3: every message delivered twice. After real traffic (registrations, posts, a rename, an account
 * deletion, a logout) has settled, each service is stopped, its consumer group reset to the beginning of
 * every topic it reads, and started again: it re-reads everything. The state must not change at all.
 */
import { expect, test } from "bun:test";
import { PostEvents } from "@chirp/contracts";
import { createPost } from "../lib/checks.ts";
import { type Account, createClient, Tally } from "../lib/client.ts";
import { recordResult } from "../lib/results.ts";
import { consumedBy, settled } from "../lib/settle.ts";
import { type Stack, startStack } from "../lib/stack.ts";
import { openTopics, type Topics } from "../lib/topics.ts";

/** Everything the consumers write, read back in a stable order. */
async function snapshot(stack: Stack, topics: Topics, accounts: Account[], auth: ReturnType<typeof createClient>) {
  const collection = (name: string) => stack.authDb.collection(name).find({}).sort({ _id: 1 }).toArray();
  return {
    authors: await stack.postDb`select * from authors order by id`,
    posts: await stack.postDb`select * from posts order by id`,
    revoked: await stack.postDb`select * from revoked_sessions order by user_id, session_id`,
    processed: (await stack.postDb`select count(*)::int as n from processed_events`)[0]?.n,
    postEventsOnTopic: await topics.size(topics.name(PostEvents)),
    postCounts: await Promise.all(accounts.map(async (a) => (await auth.get(`/api/users/${a.id}`)).body?.postCount)),
    memberships: await collection("post_memberships"),
    activity: (await collection("activity")).length,
    notifications: (await collection("notifications")).map(({ _id, userId, kind }) => ({ _id, userId, kind })),
  };
}

test("replaying every topic from the beginning to both consumer groups changes nothing", async () => {
  await using stack = await startStack();
  await using topics = await openTopics(stack.brokers, stack.prefix);
  const tally = new Tally();
  const auth = createClient(stack.auth.url, tally);
  const post = createClient(stack.post.url, tally);
  const accounts: Account[] = [];
  for (let i = 0; i < 8; i++) accounts.push(await auth.register(`Replay ${i}`));
  for (const account of accounts) for (let i = 0; i < 2; i++) await createPost(post, account.accessToken, `r${i}`);
  const [renamed, deleted, loggedOut] = accounts as [Account, Account, Account];
  expect(
    (await auth.call("PATCH", "/api/users/me", { body: { name: "Renamed" }, token: renamed.accessToken })).status,
  ).toBe(200);
  expect(
    (await auth.call("DELETE", "/api/users/me", { body: { password: deleted.password }, token: deleted.accessToken }))
      .status,
  ).toBe(204);
  expect((await auth.post("/api/auth/logout", { refreshToken: loggedOut.refreshToken })).status).toBe(204);
  const authConsumes = await topics.groupExists(stack.groups.auth);
  await settled(stack, topics, { authConsumes });
  const before = await snapshot(stack, topics, accounts, auth);
  expect(before.authors.length).toBe(8);
  expect(before.posts.length).toBe(14);
  // The deleted account answers 404 (no postCount); the others count their two posts once auth consumes.
  const expectedCounts = accounts.map((a) => (a === deleted ? undefined : authConsumes ? 2 : 0));
  expect(before.postCounts).toEqual(expectedCounts);

  let replayed = 0;
  const services = authConsumes ? ([stack.post, stack.auth] as const) : ([stack.post] as const);
  for (const service of services) {
    expect(await service.signal("SIGTERM")).toBe(0);
    for (const topic of consumedBy[service.name]) {
      await topics.resetToEarliest(stack.groups[service.name], topics.name(topic));
      replayed += await topics.size(topics.name(topic));
    }
    await service.restart();
  }
  await settled(stack, topics, { authConsumes });
  const after = await snapshot(stack, topics, accounts, auth);
  expect(after).toEqual(before);
  expect(tally.serverErrors).toBe(0);

  recordResult({
    id: "fault.replayed-offsets",
    scenario: "every message delivered twice (groups reset to the beginning, services restarted)",
    checked:
      "authors, posts, revocations, inbox size, post-events on the topic; auth's postCounts, memberships, activity, notifications: identical before and after",
    figures: {
      faults: services.length,
      requests: tally.requests,
      eventsReplayed: replayed,
      changedRows: 0,
      newPostEvents: after.postEventsOnTopic - before.postEventsOnTopic,
      serverErrors: tally.serverErrors,
      authGroupReplayed: authConsumes ? "yes" : "no (auth consumes nothing yet)",
    },
  });
}, 180_000);
