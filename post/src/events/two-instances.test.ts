import { describe, expect, test } from "bun:test";
import { createEvent, SessionEvents, SessionRevoked, UserEvents, UserRegistered } from "@chirp/contracts";
import { createKafka } from "@chirp/platform/kafka/client";
import { createPublisher } from "@chirp/platform/kafka/publisher";
import { createLogger } from "@chirp/platform/logger";
import { eventually, uniqueName } from "@chirp/platform/testing";
import { startFakeAuth } from "../testing/fake-auth.ts";
import { startTestService, testConfig } from "../testing/index.ts";

describe("two post service instances in one consumer group", () => {
  test("apply 500 user.registered events once in all, sharing the work; both refuse a revoked session", async () => {
    using auth = await startFakeAuth();
    const config = testConfig({ AUTH_URL: auth.url });
    await using first = await startTestService(config);
    await using second = await startTestService(config, { ownDatabase: false });
    const kafka = createKafka({
      clientId: "two-instances",
      brokers: config.KAFKA_BROKERS,
      logger: createLogger("t", "silent"),
    });
    const admin = kafka.admin();
    const producer = kafka.producer();
    await Promise.all([admin.connect(), producer.connect()]);
    try {
      // Publish only once both members hold partitions, so the split is the group's, not a head start.
      await eventually(
        async () => {
          const { groups } = await admin.describeGroups([config.KAFKA_GROUP_ID]);
          const [group] = groups;
          return group?.state === "Stable" && group.members.length === 2;
        },
        { timeoutMs: 30_000, what: "a stable group of two" },
      );
      const events = Array.from({ length: 500 }, (_, i) =>
        createEvent(
          UserRegistered,
          { userId: uniqueName(`u${i}`), name: `User ${i}`, email: `u${i}@example.com` },
          { source: "auth" },
        ),
      );
      const publisher = createPublisher(producer, config.KAFKA_TOPIC_PREFIX);
      await publisher.publish(UserEvents, events);
      const applied = () => first.applied["user-events"] + second.applied["user-events"];
      await eventually(() => applied() >= 500, { timeoutMs: 30_000, what: "500 applied events" });
      const [counts] = await first.sql<
        { authors: number; processed: number }[]
      >`select (select count(*)::int from authors) as authors,
        (select count(*)::int from processed_events) as processed`;
      console.log(`applied: ${first.applied["user-events"]} + ${second.applied["user-events"]} = ${applied()}`);
      expect({ applied: applied(), ...counts }).toEqual({ applied: 500, authors: 500, processed: 500 });
      expect(first.applied["user-events"]).toBeGreaterThan(0);
      expect(second.applied["user-events"]).toBeGreaterThan(0);

      // Only one instance consumes the revocation; both must refuse the token.
      const userId = events[0]?.data.userId ?? "";
      const sessionId = uniqueName("s");
      const token = await auth.tokens.sign({ sub: userId, sid: sessionId });
      const status = async (url: URL) =>
        (
          await fetch(new URL("/api/posts", url), {
            method: "POST",
            headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
            body: JSON.stringify({ title: "t", content: "c" }),
          })
        ).status;
      expect([await status(first.url), await status(second.url)]).toEqual([201, 201]);
      await publisher.publish(SessionEvents, [createEvent(SessionRevoked, { userId, sessionId }, { source: "auth" })]);
      await eventually(async () => (await status(first.url)) === 401 && (await status(second.url)) === 401, {
        timeoutMs: 1000,
        intervalMs: 10,
        what: "both instances to refuse the revoked session",
      });
    } finally {
      await Promise.all([admin.disconnect(), producer.disconnect()]);
    }
  }, 90_000);
});
