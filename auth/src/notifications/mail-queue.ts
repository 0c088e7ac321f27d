import type { Logger } from "@chirp/platform/logger";
import { newId } from "../ids.ts";
import {
  type Mail,
  type NotificationKind,
  type NotificationStore,
  pendingNotification,
} from "../stores/notification-store.ts";

/** Queues the mails requests send (verification, reset, notices) for the delivery worker. */
export interface MailQueue {
  /** Stores the mail as a pending notification and wakes the worker; delivery and retries are the worker's. */
  queue(userId: string, kind: NotificationKind, mail: Mail): Promise<void>;
  /**
   * Runs `work` after the response, off the request path (a forgot-password answers in the same time whether or
   * not it mails); a failure is logged. `drain` waits for what runs, at shutdown and in tests.
   */
  later(work: () => Promise<void>): void;
  drain(): Promise<void>;
}

export function createMailQueue(store: NotificationStore, wake: () => void, logger: Logger): MailQueue {
  const running = new Set<Promise<void>>();
  return {
    async queue(userId, kind, mail) {
      // Unlike the welcome mail (one per account), these may go out many times: each its own id.
      await store.create(pendingNotification({ id: `${userId}:${kind}:${newId()}`, userId, kind }, mail));
      wake();
    },
    later(work) {
      const task = work()
        .catch((error: unknown) => logger.error({ err: error }, "mail could not be queued"))
        .finally(() => running.delete(task));
      running.add(task);
    },
    async drain() {
      await Promise.all(running);
    },
  };
}
