/**
 * Login timing, unknown e-mail vs wrong password (ARCHITECTURE: "Unknown e-mails cost the same time as wrong
 * passwords"): `bun bench/login-timing.ts [ROUNDS]` starts a real auth service (shared FerretDB and Kafka,
 * its own database), then sends ROUNDS x (one wrong password, one unknown e-mail) logins, interleaved and one
 * at a time, each from a fresh address so no throttle is hit. Prints p50/p99 of each and the p50 ratio.
 * A measurement, not a test: timing depends on the machine, so nothing here asserts.
 */
import { startTestService, testClient } from "@chirp/auth/testing";

const rounds = Number(process.argv[2] ?? 100);
const percentile = (values: number[], p: number) =>
  [...values].sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor((values.length * p) / 100))] ?? 0;

await using service = await startTestService();
const accounts = [];
for (let i = 0; i < 20; i++) accounts.push(await testClient(service).register("Timing"));

const timed = async (email: string) => {
  const started = performance.now();
  const res = await testClient(service).post("/api/auth/login", { email, password: "not the password" });
  if (res.status !== 401) throw new Error(`expected 401, got ${res.status}: ${JSON.stringify(res.body)}`);
  return performance.now() - started;
};
const wrong: number[] = [];
const unknown: number[] = [];
for (let i = 0; i < rounds; i++) {
  // Alternate which goes first, so neither always follows the other's background work.
  const account = accounts[i % accounts.length] as (typeof accounts)[number];
  const nobody = `nobody-${crypto.randomUUID()}@example.com`;
  if (i % 2 === 0) {
    wrong.push(await timed(account.email));
    unknown.push(await timed(nobody));
  } else {
    unknown.push(await timed(nobody));
    wrong.push(await timed(account.email));
  }
}
const summary = (values: number[]) =>
  `p50 ${percentile(values, 50).toFixed(1)} ms, p99 ${percentile(values, 99).toFixed(1)} ms`;
console.log(`wrong password (${wrong.length}): ${summary(wrong)}`);
console.log(`unknown e-mail (${unknown.length}): ${summary(unknown)}`);
console.log(`p50 ratio unknown/wrong: ${(percentile(unknown, 50) / percentile(wrong, 50)).toFixed(2)}`);
