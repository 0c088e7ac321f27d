import { expect, test } from "bun:test";
import { eventually } from "@chirp/platform/testing";
import { startTestService, testClient } from "./testing/index.ts";

/** The value of one series in a Prometheus text page (labels as written, `service` included). */
function sample(page: string, series: string): number | undefined {
  const line = page.split("\n").find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

test("/metrics shows login outcomes, the hash queue, the outbox backlog, consumer lag and the mail queue", async () => {
  await using service = await startTestService();
  const client = testClient(service);
  const account = await client.register("Metrics");
  expect((await client.post("/api/auth/login", { email: account.email, password: account.password })).status).toBe(200);
  expect((await client.post("/api/auth/login", { email: account.email, password: "not the password" })).status).toBe(
    401,
  );
  const unknown = { email: `nobody-${crypto.randomUUID()}@example.com`, password: "whatever it is" };
  expect((await client.post("/api/auth/login", unknown)).status).toBe(401);

  const page = async () => (await fetch(new URL("/metrics", service.url))).text();
  const first = await page();
  const login = (outcome: string) => sample(first, `auth_logins_total{outcome="${outcome}",service="auth"}`);
  expect([login("success"), login("wrong_password"), login("unknown_email")]).toEqual([1, 1, 1]);
  expect(sample(first, 'auth_password_hashes_queued{service="auth"}')).toBe(0);
  expect(sample(first, 'auth_password_hash_refusals_total{service="auth"}')).toBe(0);
  expect(sample(first, 'outbox_pending_events{service="auth"}')).toBeGreaterThanOrEqual(0);
  expect(sample(first, 'outbox_oldest_age_seconds{service="auth"}')).toBeGreaterThanOrEqual(0);
  // The registration's user.registered reaches auth's own consumer (the post counts): its partition's lag is
  // read from the brokers, 0 once the group committed it.
  const topic = `${service.config.KAFKA_TOPIC_PREFIX}user-events`;
  expect(first).toMatch(new RegExp(`kafka_consumer_lag\\{topic="${topic.replaceAll(".", "\\.")}",partition="\\d+"`));
  // The registration's two mails (the welcome, the verification link) are queued, then settled (logged: no SMTP
  // server in this test's configuration).
  await eventually(
    async () => {
      const counts = await page();
      const settled = ["sent", "logged", "failed"].map((status) =>
        sample(counts, `auth_notifications{status="${status}",service="auth"}`),
      );
      return settled.reduce((sum: number, n) => sum + (n ?? 0), 0) === 2;
    },
    { timeoutMs: 30_000, what: "the registration's two notifications counted as settled" },
  );
}, 60_000);
