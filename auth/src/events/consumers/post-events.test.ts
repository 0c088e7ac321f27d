import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createEvent, PostCreated, PostDeleted, type PostEvents, type TopicEvent } from "@chirp/contracts";
import { uniqueName } from "@chirp/platform/testing";
import { type Db, MongoClient } from "mongodb";
import { loadConfig } from "../../config.ts";
import { createEventOutbox } from "../../events/outbox.ts";
import { createMongoActivityStore } from "../../stores/activity-store.ts";
import { createMongoPostMembershipStore } from "../../stores/post-membership-store.ts";
import { createMongoUserStore } from "../../stores/user-store.ts";
import { handlePostEvent, handlePostEvents, type PostEventDeps } from "./post-events.ts";

let client: MongoClient;
let db: Db;
let deps: PostEventDeps;
beforeAll(async () => {
  const url = new URL(loadConfig(process.env).MONGO_URL);
  url.pathname = `/${uniqueName("auth_post_events_test")}`;
  client = await MongoClient.connect(url.href);
  db = client.db();
  deps = { activity: createMongoActivityStore(db), memberships: createMongoPostMembershipStore(db) };
});
afterAll(async () => {
  await db.dropDatabase();
  await client.close();
});

type PostEvent = TopicEvent<typeof PostEvents>;
const origin = { source: "post" } as const;
const created = (authorId: string, postId: string): PostEvent =>
  createEvent(PostCreated, { postId, authorId, title: "Hello" }, origin);
const deleted = (authorId: string, postId: string): PostEvent => createEvent(PostDeleted, { postId, authorId }, origin);
const postCount = async (userId: string) =>
  (await createMongoUserStore(db, createEventOutbox(db, 60_000)).postCounts([userId])).get(userId) ?? 0;

function shuffle<T>(items: T[]): T[] {
  const copy = [...items];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [copy[i], copy[j]] = [copy[j] as T, copy[i] as T];
  }
  return copy;
}

describe("handlePostEvent", () => {
  test("counts each created post once however often its event arrives", async () => {
    const author = uniqueName("author");
    const event = created(author, "p1");
    for (let i = 0; i < 3; i++) await handlePostEvent(event, deps);
    await handlePostEvent(created(author, "p2"), deps);
    expect(await postCount(author)).toBe(2);
  });

  test("a post.deleted that overtakes its post.created keeps the late created from counting", async () => {
    const author = uniqueName("author");
    await handlePostEvent(deleted(author, "p1"), deps);
    await handlePostEvent(created(author, "p1"), deps);
    expect(await postCount(author)).toBe(0);
  });

  test("stays exact when every event arrives twice in any order, sequentially or concurrently", async () => {
    const author = uniqueName("author");
    const posts = Array.from({ length: 12 }, (_, i) => `post-${i}`);
    const gone = new Set(posts.slice(0, 5));
    const events = posts.flatMap((post) => [created(author, post), ...(gone.has(post) ? [deleted(author, post)] : [])]);
    const twice = shuffle([...events, ...events]);
    const half = Math.floor(twice.length / 2);
    for (const event of twice.slice(0, half)) await handlePostEvent(event, deps);
    await Promise.all(twice.slice(half).map((event) => handlePostEvent(event, deps)));
    expect(await postCount(author)).toBe(posts.length - gone.size);
    expect(await db.collection("activity").countDocuments({ userId: author })).toBe(events.length);
  });

  test("chunks stay exact: duplicates and a deletion beside its creation in one chunk, chunks applied twice", async () => {
    const author = uniqueName("author");
    // Post ids are unique across authors (tombstones are keyed by them): other tests' posts must not match.
    const posts = Array.from({ length: 20 }, () => uniqueName("post"));
    const gone = new Set(posts.filter((_, i) => i % 3 === 0));
    const events = posts.flatMap((post) => [created(author, post), ...(gone.has(post) ? [deleted(author, post)] : [])]);
    const mixed = shuffle([...events, ...events]);
    const chunks = Array.from({ length: 5 }, (_, i) => mixed.filter((_, j) => j % 5 === i));
    for (const chunk of chunks) await handlePostEvents(chunk, deps);
    await Promise.all(chunks.map((chunk) => handlePostEvents(chunk, deps)));
    await handlePostEvent(created(author, [...gone][0] as string), deps);
    expect(await postCount(author)).toBe(posts.length - gone.size);
    expect(await db.collection("activity").countDocuments({ userId: author })).toBe(events.length + 1);
  });

  test("activity entries carry when they were recorded, beside when their events occurred", async () => {
    const author = uniqueName("author");
    const before = Date.now();
    const event = created(author, "p1");
    await handlePostEvents([event], deps);
    const entry = await db.collection<{ _id: string; recordedAt: Date }>("activity").findOne({ _id: event.id });
    const recordedAt = entry?.recordedAt.getTime() ?? Number.NaN;
    expect(recordedAt).toBeGreaterThanOrEqual(before);
    expect(recordedAt).toBeLessThanOrEqual(Date.now());
  });

  test("records no activity for an erased account, and the rest of the chunk", async () => {
    const [author, erased] = [uniqueName("author"), uniqueName("erased")];
    await deps.activity.anonymise(erased);
    await handlePostEvents([created(erased, uniqueName("post")), created(author, uniqueName("post"))], deps);
    expect(await db.collection("activity").countDocuments({ userId: { $in: [author, erased] } })).toBe(1);
    expect(await db.collection("activity").countDocuments({ userId: author })).toBe(1);
  });
});
