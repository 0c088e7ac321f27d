import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { createEvent, UserEvents, UserRegistered, UserUpdated } from "@chirp/contracts";
import { createKafka } from "@chirp/platform/kafka/client";
import { createPublisher } from "@chirp/platform/kafka/publisher";
import { createLogger } from "@chirp/platform/logger";
import { eventually, uniqueName } from "@chirp/platform/testing";
import { collections } from "../db.ts";
import { start } from "../main.ts";
import { startTestService, type TestService, testClient, testConfig } from "../testing/index.ts";
import { startSmtpListener } from "../testing/smtp-listener.ts";
import { welcomeSubject } from "./templates/welcome.ts";

const logger = createLogger("welcome-email-test", "silent");
let smtp: Awaited<ReturnType<typeof startSmtpListener>>;
let service: TestService;

beforeAll(async () => {
  smtp = await startSmtpListener();
  // Many fast attempts, so an outage keeps the notification pending (not failed) for the whole test.
  service = await startTestService(testConfig({ SMTP_URL: smtp.url, NOTIFY_MAX_ATTEMPTS: "100" }));
});
afterAll(async () => {
  await service[Symbol.asyncDispose]();
  await smtp.stop();
});

const notificationsOf = async (client: ReturnType<typeof testClient>, token: string) =>
  (await client.get("/api/notifications", token)).body.items;

describe("the welcome e-mail", () => {
  test("registering sends one welcome e-mail to the new user, and /api/notifications shows it sent", async () => {
    const client = testClient(service);
    const { user, email, accessToken } = await client.register("Ada");
    // Registering also mails a verification link; this is about the welcome.
    const mail = await eventually(() => smtp.to(email).find((received) => received.subject === welcomeSubject), {
      what: "the welcome e-mail",
    });
    expect(mail?.raw).toContain("Hi Ada,");
    const notifications = await eventually(async () => {
      const list = await notificationsOf(client, accessToken);
      return list[0]?.status === "sent" && list;
    });
    expect(notifications).toEqual([
      {
        id: `${user.id}:welcome`,
        kind: "welcome",
        to: email,
        subject: "Welcome to Chirp",
        status: "sent",
        attempts: 1,
        lastError: null,
        createdAt: expect.any(String),
        sentAt: expect.any(String),
        nextAttemptAt: null,
      },
    ]);
    expect(smtp.to(email).filter((mail) => mail.subject === welcomeSubject)).toHaveLength(1);
  });

  test("the same user.registered delivered twice sends one e-mail", async () => {
    const kafka = createKafka({ clientId: "test-publisher", brokers: service.config.KAFKA_BROKERS, logger });
    const producer = kafka.producer();
    await producer.connect();
    try {
      const publisher = createPublisher(producer, service.config.KAFKA_TOPIC_PREFIX);
      const userId = uniqueName("twice");
      const email = `${userId.toLowerCase()}@example.com`;
      const registered = createEvent(UserRegistered, { userId, name: "Twice", email }, { source: "auth" });
      const marker = createEvent(UserUpdated, { userId, name: "Twice", bio: "after" }, { source: "auth" });
      await publisher.publish(UserEvents, [registered, registered]);
      await publisher.publish(UserEvents, [marker]);
      // The marker shares the key, so once it is logged both copies before it were handled.
      await eventually(() => service.db.collection(collections.activity).findOne({ _id: marker.id as never }));
      await eventually(() => smtp.to(email).length > 0, { what: "the welcome e-mail" });
      await eventually(
        async () => (await service.db.collection(collections.notifications).findOne({ userId }))?.status === "sent",
      );
      expect(smtp.to(email).filter((mail) => mail.subject === welcomeSubject)).toHaveLength(1);
      expect(await service.db.collection(collections.notifications).countDocuments({ userId })).toBe(1);
    } finally {
      await producer.disconnect();
    }
  });

  test("with the SMTP server down the e-mail stays pending, retried, and goes out once it is back", async () => {
    const client = testClient(service);
    await smtp.stop();
    const { email, accessToken } = await client.register("Grace");
    const pending = await eventually(async () => {
      const [notification] = await notificationsOf(client, accessToken);
      return notification?.attempts >= 3 && notification;
    });
    expect(pending).toMatchObject({ status: "pending", lastError: expect.stringMatching(/ECONNREFUSED|connect/i) });
    const later = await eventually(async () => {
      const [notification] = await notificationsOf(client, accessToken);
      return notification?.attempts > pending.attempts && notification;
    });
    expect(later.status).toBe("pending");

    await smtp.start();
    const sent = await eventually(async () => {
      const [notification] = await notificationsOf(client, accessToken);
      return notification?.status === "sent" && notification;
    });
    expect(sent.lastError).toBeNull();
    expect(sent.attempts).toBeGreaterThan(later.attempts);
    expect(smtp.to(email).filter((mail) => mail.subject === welcomeSubject)).toHaveLength(1);
  });
});

describe("a restart", () => {
  test("a notification left pending by a stopped instance is sent by the next one", async () => {
    await using relay = await startSmtpListener();
    const config = testConfig({ SMTP_URL: relay.url, NOTIFY_MAX_ATTEMPTS: "100" });
    await relay.stop();
    const first = await start(config);
    const client = testClient(first);
    const { user, email } = await client.register("Hopper");
    const notifications = first.db.collection(collections.notifications);
    const welcome = { userId: user.id, kind: "welcome" };
    await eventually(async () => ((await notifications.findOne(welcome))?.attempts ?? 0) >= 1);
    expect(await first.stop()).toBe(true);

    await relay.start();
    await using second = await startTestService(config);
    // Register also mails a verification link: the welcome is the one this test follows.
    await eventually(() => relay.to(email).some((mail) => mail.subject === welcomeSubject), {
      what: "the welcome e-mail after the restart",
    });
    // The relay accepts the message a moment before the worker records it as sent.
    await eventually(
      async () => (await second.db.collection(collections.notifications).findOne(welcome))?.status === "sent",
      { what: "the notification recorded as sent" },
    );
    expect(relay.to(email).filter((mail) => mail.subject === welcomeSubject)).toHaveLength(1);
  });
});

describe("without SMTP_URL", () => {
  test("the welcome e-mail is written to the log and its notification marked `logged`, not `sent`", async () => {
    await using logOnly = await startTestService({ ...testConfig(), SMTP_URL: undefined });
    const client = testClient(logOnly);
    const { accessToken } = await client.register("Lovelace");
    const [notification] = await eventually(async () => {
      const list = await notificationsOf(client, accessToken);
      // Until the consumer has filed the notification the list is empty: that is not an outcome yet.
      return list[0] !== undefined && list[0].status !== "pending" && list;
    });
    expect(notification).toMatchObject({ kind: "welcome", status: "logged", attempts: 1, sentAt: null });
  });
});
