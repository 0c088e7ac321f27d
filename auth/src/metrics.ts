import { cachedReading } from "@chirp/platform/scrape-cache";
import { Counter, Gauge, type Registry } from "prom-client";
import type { PasswordHasher } from "./passwords/hasher.ts";
import { type NotificationStore, notificationStatuses } from "./stores/notification-store.ts";

export type LoginOutcome = "success" | "mfa_required" | "wrong_password" | "unknown_email" | "throttled" | "overloaded";

export interface AuthMetrics {
  login(outcome: LoginOutcome): void;
}

/**
 * Auth's own series in its registry: login outcomes, the password hasher's queue and refusals (read from the
 * hasher on scrape), and the mail queue by status (read from the store on scrape, cached: it is a scan).
 */
export function authMetrics(
  registry: Registry,
  sources: { hasher: PasswordHasher; notifications: NotificationStore },
  mailCacheMs = 15_000,
): AuthMetrics {
  const logins = new Counter({
    name: "auth_logins_total",
    help: "Login attempts by outcome: success, mfa_required, wrong_password, unknown_email, throttled (429), overloaded (503)",
    labelNames: ["outcome"],
    registers: [registry],
  });
  const { hasher } = sources;
  new Gauge({
    name: "auth_password_hashes_running",
    help: "Password hashes being computed now",
    registers: [registry],
    collect() {
      this.set(hasher.stats().running);
    },
  });
  new Gauge({
    name: "auth_password_hashes_queued",
    help: "Password hashes waiting for a hashing slot",
    registers: [registry],
    collect() {
      this.set(hasher.stats().queued);
    },
  });
  new Counter({
    name: "auth_password_hash_refusals_total",
    help: "Requests that would hash, refused with 503 because the hashing queue was full",
    registers: [registry],
    collect() {
      this.reset();
      this.inc(hasher.stats().refused);
    },
  });
  const mail = cachedReading(() => sources.notifications.countByStatus(), mailCacheMs);
  new Gauge({
    name: "auth_notifications",
    help: "Notifications (mails) by delivery status: pending is the queue still to send",
    labelNames: ["status"],
    registers: [registry],
    async collect() {
      const counts = await mail().catch(() => undefined);
      if (!counts) return;
      for (const status of notificationStatuses) this.set({ status }, counts[status]);
    },
  });
  return { login: (outcome) => logins.inc({ outcome }) };
}
