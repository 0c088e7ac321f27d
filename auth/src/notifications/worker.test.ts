import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createLogger } from "@chirp/platform/logger";
import { eventually, uniqueName } from "@chirp/platform/testing";
import { type Db, MongoClient } from "mongodb";
import { loadConfig } from "../config.ts";
import { collections } from "../db.ts";
import { welcomeNotification } from "../events/consumers/user-events.ts";
import { createMongoNotificationStore, type Mail, type NotificationStore } from "../stores/notification-store.ts";
import type { Delivery, Mailer } from "./mailer.ts";
import { type DeliveryPolicy, type DeliveryWorker, startDeliveryWorker } from "./worker.ts";

const logger = createLogger("worker-test", "silent");
const appUrl = "http://localhost:3000";
const policy: DeliveryPolicy = { maxAttempts: 3, initialDelayMs: 1000, maxDelayMs: 10_000, claimTtlMs: 60_000 };
let client: MongoClient;
let db: Db;
let store: NotificationStore;
const workers: DeliveryWorker[] = [];

beforeAll(async () => {
  const url = new URL(loadConfig(process.env).MONGO_URL);
  url.pathname = `/${uniqueName("auth_worker_test")}`;
  client = await MongoClient.connect(url.href);
  db = client.db();
  store = createMongoNotificationStore(db);
});
afterAll(async () => {
  await Promise.all(workers.map((worker) => worker.stop()));
  await db.dropDatabase();
  await client.close();
});

/** A mailer that records what it sent and fails while `failing` is set. */
function fakeMailer() {
  const sent: Mail[] = [];
  const mailer = {
    sent,
    failing: false,
    /** What the mailer reports: `logged` plays one with no SMTP server configured. */
    delivery: "sent" as Delivery,
    async send(mail: Mail): Promise<Delivery> {
      await Bun.sleep(5);
      if (mailer.failing) throw new Error("421 try again later");
      sent.push(mail);
      return mailer.delivery;
    },
  } satisfies Mailer & Record<string, unknown>;
  return mailer;
}

const realClock = {
  get now() {
    return new Date();
  },
};

/** A worker whose own scans are far apart, so the test drives `deliver` itself, on a clock it sets. */
function worker(mailer: Mailer, clock: { readonly now: Date } = realClock) {
  const started = startDeliveryWorker({
    store,
    mailer,
    logger,
    policy,
    owner: uniqueName("owner"),
    scanEveryMs: 3_600_000,
    now: () => clock.now,
  });
  workers.push(started);
  return started;
}

async function newNotification(at = new Date()) {
  const userId = uniqueName("user");
  const notification = welcomeNotification(
    { userId, name: "Ada", email: `${userId}@example.com` },
    { appUrl, now: at },
  );
  expect(await store.create(notification)).toBe(true);
  return notification;
}

describe("the delivery worker", () => {
  test("retries a failing delivery with doubling delays, then marks it failed after the last attempt", async () => {
    const clock = { now: new Date() };
    const mailer = fakeMailer();
    mailer.failing = true;
    const delivery = worker(mailer, clock);
    // Its own loop stopped (its first scan done) before the notification exists: only the test's calls deliver.
    await delivery.stop();
    const { id } = await newNotification(clock.now);

    expect(await delivery.deliver(id)).toBe("retry");
    const first = await store.find(id);
    expect(first).toMatchObject({ status: "pending", attempts: 1, lastError: "421 try again later" });
    const firstDelay = (first?.nextAttemptAt?.getTime() ?? 0) - clock.now.getTime();
    expect(firstDelay).toBeGreaterThanOrEqual(500);
    expect(firstDelay).toBeLessThanOrEqual(1000);
    expect(await delivery.deliver(id)).toBe("skipped");

    clock.now = first?.nextAttemptAt ?? clock.now;
    expect(await delivery.deliver(id)).toBe("retry");
    const second = await store.find(id);
    const secondDelay = (second?.nextAttemptAt?.getTime() ?? 0) - clock.now.getTime();
    expect(secondDelay).toBeGreaterThanOrEqual(1000);
    expect(secondDelay).toBeLessThanOrEqual(2000);

    clock.now = second?.nextAttemptAt ?? clock.now;
    expect(await delivery.deliver(id)).toBe("failed");
    expect(await store.find(id)).toMatchObject({ status: "failed", attempts: 3, nextAttemptAt: null });
    expect(await store.lastClaim(id)).toBeNull();
    expect(await delivery.deliver(id)).toBe("skipped");
  });

  test("marks a notification the mailer only wrote to the log `logged`, not `sent`, and does not try it again", async () => {
    const mailer = fakeMailer();
    mailer.delivery = "logged";
    const delivery = worker(mailer);
    await delivery.stop();
    const { id } = await newNotification();
    expect(await delivery.deliver(id)).toBe("logged");
    expect(await store.find(id)).toMatchObject({ status: "logged", attempts: 1, lastError: null, sentAt: null });
    expect(await delivery.deliver(id)).toBe("skipped");
    expect(mailer.sent).toHaveLength(1);
  });

  test("sends once when several instances try the same notification at the same time", async () => {
    const mailer = fakeMailer();
    const instances = [worker(mailer), worker(mailer), worker(mailer)];
    // Their own scans stopped, so all six attempts below are the test's (a scan could otherwise send first).
    await Promise.all(instances.map((instance) => instance.stop()));
    const { id, to } = await newNotification();
    const results = await Promise.all(instances.flatMap((instance) => [instance.deliver(id), instance.deliver(id)]));
    expect(results.filter((result) => result === "sent")).toHaveLength(1);
    expect(mailer.sent.map((mail) => mail.to)).toEqual([to]);
    expect(await store.find(id)).toMatchObject({ status: "sent", attempts: 1, lastError: null });
  });

  test("leaves an attempt claimed by a live instance alone, and takes over one whose claim went stale", async () => {
    const mailer = fakeMailer();
    const clock = { now: new Date() };
    const delivery = worker(mailer, clock);
    // Its own loop stopped (its first scan done): only the test's calls deliver, so the takeover below is
    // this call's, not a scan racing it.
    await delivery.stop();
    const { id } = await newNotification(clock.now);
    expect(await store.claim(id, { attempt: 1, owner: "crashed", claimedAt: clock.now })).toBe(true);
    expect(await delivery.deliver(id)).toBe("skipped");
    expect(mailer.sent).toHaveLength(0);

    clock.now = new Date(clock.now.getTime() + policy.claimTtlMs + 1);
    expect(await delivery.deliver(id)).toBe("sent");
    expect(await store.find(id)).toMatchObject({ status: "sent", attempts: 2 });
    expect(await db.collection(collections.notificationClaims).countDocuments({ notificationId: id })).toBe(0);
  });

  test("skips what another instance settled: a sent one leaves the queue, a retry stays queued for its time", async () => {
    const mailer = fakeMailer();
    const clock = { now: new Date() };
    const delivery = worker(mailer, clock);
    await delivery.stop();
    const queued = async (at: Date) => new Set(await store.due(at, 1000));
    // Sent by another instance, which stopped before taking it off the queue (settled here by hand, as the
    // queue entry would be left if it crashed between the two writes).
    const sent = await newNotification(clock.now);
    await db.collection<{ _id: string }>(collections.notifications).updateOne(
      { _id: sent.id },
      {
        $set: { status: "sent", attempts: 1, nextAttemptAt: null, sentAt: clock.now },
      },
    );
    expect((await queued(clock.now)).has(sent.id)).toBe(true);
    expect(await delivery.deliver(sent.id)).toBe("skipped");
    expect((await queued(clock.now)).has(sent.id)).toBe(false);
    // A slow instance, whose claim had gone stale, failed the first attempt: the retry is not due yet.
    const failed = await newNotification(clock.now);
    const retryAt = new Date(clock.now.getTime() + 5_000);
    const longAgo = new Date(clock.now.getTime() - policy.claimTtlMs - 1);
    expect(await store.claim(failed.id, { attempt: 1, owner: "other", claimedAt: longAgo })).toBe(true);
    await store.settle(failed.id, {
      status: "pending",
      attempts: 1,
      lastError: "421",
      nextAttemptAt: retryAt,
      sentAt: null,
    });
    expect((await queued(clock.now)).has(failed.id)).toBe(false);
    expect(await delivery.deliver(failed.id)).toBe("skipped");
    expect(mailer.sent).toHaveLength(0);
    expect(await store.lastClaim(failed.id)).toMatchObject({ attempt: 1, owner: "other" });
    clock.now = retryAt;
    expect((await queued(clock.now)).has(failed.id)).toBe(true);
    expect(await delivery.deliver(failed.id)).toBe("sent");
    expect(await store.find(failed.id)).toMatchObject({ status: "sent", attempts: 2 });
    expect((await queued(new Date(8.64e15))).has(failed.id)).toBe(false);
  });

  test("the queue holds what is pending only: a notification leaves it when sent, and when it fails for good", async () => {
    const mailer = fakeMailer();
    const clock = { now: new Date() };
    const delivery = worker(mailer, clock);
    await delivery.stop();
    const everQueued = async () => new Set(await store.due(new Date(8.64e15), 1000));
    const good = await newNotification(clock.now);
    expect((await everQueued()).has(good.id)).toBe(true);
    expect(await delivery.deliver(good.id)).toBe("sent");
    expect((await everQueued()).has(good.id)).toBe(false);

    mailer.failing = true;
    const bad = await newNotification(clock.now);
    for (let attempt = 1; attempt < policy.maxAttempts; attempt++) {
      expect(await delivery.deliver(bad.id)).toBe("retry");
      clock.now = (await store.find(bad.id))?.nextAttemptAt ?? clock.now;
      expect((await everQueued()).has(bad.id)).toBe(true);
    }
    expect(await delivery.deliver(bad.id)).toBe("failed");
    expect((await everQueued()).has(bad.id)).toBe(false);
  });

  test("queues the pending notifications a version without the queue left, once per database", async () => {
    const mailer = fakeMailer();
    // Written as the earlier version did: a notification and no queue entry.
    const userId = uniqueName("user");
    const earlier = welcomeNotification(
      { userId, name: "Old", email: `${userId}@example.com` },
      { appUrl, now: new Date() },
    );
    const { id, ...fields } = earlier;
    await db.collection<{ _id: string }>(collections.notifications).insertOne({ _id: id, ...fields });
    await db.collection(collections.migrations).deleteMany({});
    expect((await store.due(new Date(), 1000)).includes(id)).toBe(false);

    expect(await store.queuePending()).toBeGreaterThanOrEqual(1);
    expect((await store.due(new Date(), 1000)).includes(id)).toBe(true);
    expect(await store.queuePending()).toBe(0);
    const delivery = worker(mailer);
    delivery.wake();
    await eventually(async () => (await store.find(id))?.status === "sent", { what: "the earlier notification sent" });
  });

  test("a running worker finds due notifications by itself and is woken for new ones", async () => {
    const mailer = fakeMailer();
    const delivery = worker(mailer);
    const { id } = await newNotification();
    delivery.wake();
    await eventually(async () => (await store.find(id))?.status === "sent", { what: "the notification sent" });
    expect(mailer.sent).toHaveLength(1);
  });
});
