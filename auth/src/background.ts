import type { ConsumerOptions } from "@chirp/platform/kafka/consumer";
import type { Logger } from "@chirp/platform/logger";
import type { Db } from "mongodb";
import type { AuthConfig } from "./config.ts";
import { startAuthConsumers } from "./events/consumers/start-consumers.ts";
import { newId } from "./ids.ts";
import { createMailer } from "./notifications/mailer.ts";
import { startDeliveryWorker } from "./notifications/worker.ts";
import { createMongoActivityStore } from "./stores/activity-store.ts";
import { createMongoNotificationStore } from "./stores/notification-store.ts";
import { createMongoPostMembershipStore } from "./stores/post-membership-store.ts";

/**
 * Starts what runs off events rather than requests: the auth consumer group (activity log, post
 * memberships, welcome notifications) and the notification delivery worker. The caller stops both
 * (consumers first) before it flushes the outbox and closes MongoDB.
 */
export async function startEventWork(
  config: AuthConfig,
  {
    db,
    kafka,
    producer,
    logger,
    metrics,
  }: { db: Db; logger: Logger } & Pick<ConsumerOptions, "kafka" | "producer" | "metrics">,
) {
  const notifications = createMongoNotificationStore(db);
  const activity = createMongoActivityStore(db);
  const memberships = createMongoPostMembershipStore(db);
  const notifier = startDeliveryWorker({
    store: notifications,
    mailer: createMailer({ smtpUrl: config.SMTP_URL, from: config.MAIL_FROM, logger }),
    logger: logger.child({ component: "notifications" }),
    owner: newId(),
    scanEveryMs: config.NOTIFY_SCAN_EVERY_MS,
    policy: {
      maxAttempts: config.NOTIFY_MAX_ATTEMPTS,
      initialDelayMs: config.NOTIFY_BACKOFF_INITIAL_MS,
      maxDelayMs: config.NOTIFY_BACKOFF_MAX_MS,
      claimTtlMs: config.NOTIFY_CLAIM_TTL_MS,
    },
  });
  const consumer = await startAuthConsumers(
    {
      kafka,
      groupId: config.KAFKA_GROUP_ID,
      prefix: config.KAFKA_TOPIC_PREFIX,
      producer,
      logger: logger.child({ component: "consumer" }),
      concurrency: config.KAFKA_CONSUMER_CONCURRENCY,
      fetch: { maxWaitTimeInMs: config.KAFKA_FETCH_MAX_WAIT_MS },
      // While MongoDB is unreachable, failing events wait for it instead of going to the dead-letter topic.
      dependencies: () => db.command({ ping: 1 }),
      metrics,
      retry: {
        attempts: config.CONSUMER_RETRY_ATTEMPTS,
        initialDelayMs: config.CONSUMER_RETRY_INITIAL_MS,
        maxDelayMs: 5000,
      },
    },
    { activity, notifications, memberships, appUrl: config.PUBLIC_APP_URL, onNotification: () => notifier.wake() },
  );

  return { notifications, activity, memberships, notifier, consumer };
}
