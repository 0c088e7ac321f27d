import { afterAll, describe, expect, test } from "bun:test";
import { createEvent, UserRegistered, UserUpdated } from "@chirp/contracts";
import { MongoClient } from "mongodb";
import { collections } from "../../db.ts";
import { createMongoActivityStore } from "../../stores/activity-store.ts";
import { createMongoNotificationStore } from "../../stores/notification-store.ts";
import { createMongoPostMembershipStore } from "../../stores/post-membership-store.ts";
import { testConfig } from "../../testing/index.ts";
import { handleUserEvent, handleUserEvents } from "./user-events.ts";

const client = new MongoClient(testConfig().MONGO_URL);
const db = client.db();
afterAll(async () => {
  await db.dropDatabase();
  await client.close();
});

const origin = { source: "auth" } as const;
const registered = (userId: string) =>
  createEvent(UserRegistered, { userId, name: userId, email: `${userId}@example.com` }, origin);

describe("handleUserEvents (a chunk at once)", () => {
  test("leaves what handling each event alone would: one welcome per new user, one entry per event, however often", async () => {
    let wakes = 0;
    const deps = {
      activity: createMongoActivityStore(db),
      notifications: createMongoNotificationStore(db),
      memberships: createMongoPostMembershipStore(db),
      appUrl: "http://localhost:3000",
      onNotification: () => wakes++,
    };
    const ann = registered("ann");
    const bob = registered("bob");
    const annUpdated = createEvent(UserUpdated, { userId: "ann", name: "Ann", bio: "hi" }, origin);
    // Bob's registration was handled on its own before (the one-by-one fallback), then the chunk comes again.
    await handleUserEvent(bob, deps);
    await handleUserEvents([ann, ann, annUpdated, bob], deps);
    await handleUserEvents([ann, annUpdated, bob], deps);

    const notifications = await db
      .collection<{ _id: string; status: string }>(collections.notifications)
      .find()
      .sort({ _id: 1 })
      .toArray();
    expect(notifications.map((n) => [n._id, n.status])).toEqual([
      ["ann:welcome", "pending"],
      ["bob:welcome", "pending"],
    ]);
    const activity = await db.collection<{ _id: string }>(collections.activity).find().toArray();
    expect(activity.map((entry) => entry._id).sort()).toEqual([ann.id, annUpdated.id, bob.id].sort());
    // Woken for Bob's own handling and for the chunk that created Ann's; not for the chunk that created nothing.
    expect(wakes).toBe(2);
  });
});
