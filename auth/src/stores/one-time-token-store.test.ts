import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { MongoClient } from "mongodb";
import { issueOneTimeToken, redeemOneTimeToken } from "../accounts/one-time-tokens.ts";
import { collections, ensureIndexes } from "../db.ts";
import { testConfig } from "../testing/index.ts";
import { hashRefreshToken } from "../tokens/refresh-tokens.ts";
import { createMongoOneTimeTokenStore } from "./one-time-token-store.ts";

const client = new MongoClient(testConfig().MONGO_URL);
const db = client.db();
const store = createMongoOneTimeTokenStore(db);
beforeAll(() => ensureIndexes(db));
afterAll(async () => {
  await db.dropDatabase();
  await client.close();
});

const ann = { userId: "ann", email: "ann@example.com" };
const hour = 3_600_000;

describe("one-time tokens", () => {
  test("are stored as a hash only, and spent once: of concurrent redemptions exactly one wins", async () => {
    const secret = await issueOneTimeToken(store, ann, "reset-password");
    const [stored] = await db.collection(collections.oneTimeTokens).find({ userId: "ann" }).toArray();
    expect(stored?._id as unknown).toBe(hashRefreshToken(secret));
    expect(JSON.stringify(stored)).not.toContain(secret);
    const results = await Promise.all(
      Array.from({ length: 8 }, () => redeemOneTimeToken(store, secret, "reset-password")),
    );
    expect(results.filter(Boolean)).toEqual([expect.objectContaining({ ...ann, kind: "reset-password" })]);
  });

  test("are refused for another kind, once expired, or once a newer one of the kind was issued", async () => {
    const bob = { userId: "bob", email: "bob@example.com" };
    const verification = await issueOneTimeToken(store, bob, "verify-email");
    expect(await redeemOneTimeToken(store, verification, "change-email")).toBeNull();
    const expired = await issueOneTimeToken(store, bob, "reset-password", new Date(Date.now() - hour));
    expect(await redeemOneTimeToken(store, expired, "reset-password")).toBeNull();
    const older = await issueOneTimeToken(store, bob, "change-email", new Date(Date.now() - 1000));
    const newer = await issueOneTimeToken(store, bob, "change-email");
    expect(await redeemOneTimeToken(store, older, "change-email")).toBeNull();
    // Another kind is not superseded by it.
    expect(await redeemOneTimeToken(store, verification, "verify-email")).toMatchObject({ kind: "verify-email" });
    expect(await redeemOneTimeToken(store, newer, "change-email")).toMatchObject({ email: "bob@example.com" });
  });

  test("revoke kills a user's outstanding tokens; purge drops expired tokens and old spent facts", async () => {
    const cid = { userId: "cid", email: "cid@example.com" };
    const live = await issueOneTimeToken(store, cid, "reset-password");
    await store.revoke("cid");
    expect(await redeemOneTimeToken(store, live, "reset-password")).toBeNull();

    await issueOneTimeToken(store, cid, "verify-email", new Date(Date.now() - 25 * hour));
    await store.spend("old-spent-hash", new Date(Date.now() - 48 * hour));
    await store.purge(new Date(), new Date(Date.now() - 24 * hour));
    expect(await db.collection(collections.oneTimeTokens).countDocuments({ userId: "cid" })).toBe(0);
    expect(await db.collection(collections.spentOneTimeTokens).countDocuments({ _id: "old-spent-hash" as never })).toBe(
      0,
    );
  });
});
