import type { Logger } from "@chirp/platform/logger";
import type { DeliveryClaim, NotificationRecord, NotificationStore } from "../stores/notification-store.ts";
import type { Delivery, Mailer } from "./mailer.ts";

export interface DeliveryPolicy {
  /** Attempts before a notification is marked failed. */
  maxAttempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
  /** A claim older than this, never settled, is taken to be from a crashed instance. */
  claimTtlMs: number;
}

export interface DeliveryWorkerOptions {
  store: NotificationStore;
  mailer: Mailer;
  logger: Logger;
  policy: DeliveryPolicy;
  /** Names this instance in its claims, for the log and for humans reading the collection. */
  owner: string;
  scanEveryMs: number;
  /** Notifications looked at per scan. */
  batchSize?: number;
  now?: () => Date;
}

export type DeliveryResult = Delivery | "retry" | "failed" | "skipped";

export interface DeliveryWorker {
  /**
   * Makes one delivery attempt of a notification if it is due and nobody else is making one; takes it off
   * the queue if it is finished already.
   */
  deliver(id: string): Promise<DeliveryResult>;
  /** Scans now instead of at the next tick (a notification was just created). */
  wake(): void;
  /** False once stopped. */
  healthy(): boolean;
  /** Finishes the attempt in hand and stops scanning. */
  stop(): Promise<void>;
}

/** The delay before attempt `attempt + 1`: doubling from the first delay, capped, with jitter below it. */
export function backoffMs(policy: DeliveryPolicy, attempt: number) {
  const ceiling = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** (attempt - 1));
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}

const message = (error: unknown) => (error instanceof Error ? error.message : String(error)).slice(0, 500);

/**
 * Delivers due notifications, from this instance and any other. An attempt is owned by inserting its
 * claim (`<id>#<n>`); only the winner sends and writes the notification, so instances never race on it.
 * Pending notifications live in MongoDB, so a restart resumes them at the next scan.
 */
export function startDeliveryWorker(options: DeliveryWorkerOptions): DeliveryWorker {
  const { store, mailer, logger, policy, owner } = options;
  const now = options.now ?? (() => new Date());
  let stopped = false;
  let wakeUp: (() => void) | undefined;
  // Set by a wake that comes while a scan runs, so the notification it announces is not left for a tick.
  let woken = false;

  /**
   * Whether attempt `claimed + 1` may be made now: the notification is pending, and either its last claim is
   * settled and its next attempt is due, or that claim was never settled and has gone stale.
   */
  function isDue(notification: NotificationRecord | null, last: DeliveryClaim | null, at: Date) {
    if (notification?.status !== "pending") return false;
    const claimed = last?.attempt ?? 0;
    if (last && claimed > notification.attempts) return at.getTime() - last.claimedAt.getTime() >= policy.claimTtlMs;
    return (notification.nextAttemptAt?.getTime() ?? 0) <= at.getTime();
  }

  async function deliver(id: string): Promise<DeliveryResult> {
    const last = await store.lastClaim(id);
    const at = now();
    const seen = await store.find(id);
    // A queue entry left behind (its holder stopped between settling and dequeuing, or a redelivered event
    // queued a notification sent long ago): any instance may drop it, by id.
    if (seen?.status !== "pending") {
      await store.dequeue(id);
      return "skipped";
    }
    if (!isDue(seen, last, at)) return "skipped";
    const attempt = (last?.attempt ?? 0) + 1;
    if (!(await store.claim(id, { attempt, owner, claimedAt: at }))) return "skipped";
    // From here this instance is the notification's only writer, until its claim goes stale; it decides
    // again on a fresh read (another instance may have settled the attempt before in between).
    const current = await store.find(id);
    if (!current || !isDue(current, last, at)) {
      await store.dropClaim(id, attempt);
      return "skipped";
    }
    let error: string;
    if (attempt > policy.maxAttempts) {
      error = "the last attempt was interrupted";
    } else {
      try {
        // Marked `sent` only when an SMTP server accepted it: a mail written to the log reached nobody.
        const delivery = await mailer.send(current);
        await store.settle(id, {
          status: delivery,
          attempts: attempt,
          lastError: null,
          nextAttemptAt: null,
          sentAt: delivery === "sent" ? now() : null,
        });
        await store.purgeClaims(id);
        logger.info({ notificationId: id, attempt }, `notification ${delivery}`);
        return delivery;
      } catch (caught) {
        error = message(caught);
      }
    }
    const final = attempt >= policy.maxAttempts;
    const nextAttemptAt = final ? null : new Date(now().getTime() + backoffMs(policy, attempt));
    await store.settle(id, {
      status: final ? "failed" : "pending",
      attempts: Math.min(attempt, policy.maxAttempts),
      lastError: error,
      nextAttemptAt,
      sentAt: null,
    });
    if (final) await store.purgeClaims(id);
    logger.warn(
      { notificationId: id, attempt, error, nextAttemptAt },
      final ? "notification failed" : "delivery failed",
    );
    return final ? "failed" : "retry";
  }

  async function scan() {
    for (const id of await store.due(now(), options.batchSize ?? 50)) {
      if (stopped) return;
      await deliver(id);
    }
  }

  const loop = (async () => {
    try {
      const queued = await store.queuePending();
      if (queued > 0) logger.info({ queued }, "queued the pending notifications of an earlier version");
    } catch (error) {
      logger.warn({ err: error }, "could not queue earlier pending notifications; trying again at the next start");
    }
    while (!stopped) {
      woken = false;
      try {
        await scan();
      } catch (error) {
        logger.warn({ err: error }, "notification scan failed; retrying at the next tick");
      }
      if (stopped) break;
      if (woken) continue;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, options.scanEveryMs);
        wakeUp = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      wakeUp = undefined;
    }
  })();

  return {
    deliver,
    wake: () => {
      woken = true;
      wakeUp?.();
    },
    healthy: () => !stopped,
    async stop() {
      stopped = true;
      wakeUp?.();
      await loop;
    },
  };
}
