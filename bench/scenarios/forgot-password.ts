/**
 * Forgot-password timing, an existing vs a missing e-mail (ARCHITECTURE, "Accounts, v2": "202 with the same
 * body and in similar time whether or not the account exists"). Requests one at a time, the two kinds
 * interleaved (each first in turn, so neither always follows the other's after-response work: the token and
 * the mail of an existing account). p50 and p99 of each side by side; the goal is a ratio within 1.2.
 */
import { percentile } from "../lib/open-loop.ts";
import type { Row } from "../lib/report.ts";
import type { Stack } from "../lib/stack.ts";
import { registerUser, type Settings } from "./http-overhead.ts";

async function timedForgot(authUrl: string, email: string) {
  const started = performance.now();
  const res = await fetch(`${authUrl}/api/auth/password/forgot`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email }),
  });
  await res.text();
  if (res.status !== 202) throw new Error(`forgot answered ${res.status}`);
  return performance.now() - started;
}

export async function forgotPassword(stack: Stack, settings: Settings, report: (row: Row) => void) {
  const accounts = [];
  for (let i = 0; i < 20; i++) accounts.push((await registerUser(stack.auth.url, "Forgot")).email);
  // Enough for a p99 that is not two or three outliers: 900 of each in a full run.
  const rounds = settings.runs * 300;
  const existing: number[] = [];
  const missing: number[] = [];
  for (let i = 0; i < rounds + 20; i++) {
    const known = accounts[i % accounts.length] ?? "";
    const nobody = `nobody-${crypto.randomUUID().slice(0, 8)}@example.com`;
    let knownMs: number;
    let nobodyMs: number;
    if (i % 2 === 0) {
      knownMs = await timedForgot(stack.auth.url, known);
      nobodyMs = await timedForgot(stack.auth.url, nobody);
    } else {
      nobodyMs = await timedForgot(stack.auth.url, nobody);
      knownMs = await timedForgot(stack.auth.url, known);
    }
    // The first rounds warm both paths up and are not counted.
    if (i < 20) continue;
    existing.push(knownMs);
    missing.push(nobodyMs);
  }
  existing.sort((a, b) => a - b);
  missing.sort((a, b) => a - b);
  const [p50, p99] = [percentile(existing, 50), percentile(existing, 99)];
  const [missingP50, missingP99] = [percentile(missing, 50), percentile(missing, 99)];
  const within = (ratio: number) => ratio <= 1.2 && ratio >= 1 / 1.2;
  report({
    scenario: "POST /api/auth/password/forgot: existing vs missing e-mail",
    p50Ms: p50,
    p99Ms: p99,
    reference: `missing e-mail p50 (p99 ${missingP99.toFixed(2)} ms)`,
    referenceValue: missingP50,
    ratio: p50 / missingP50,
    goal: "p50 and p99 ratios within 1.2",
    pass: within(p50 / missingP50) && within(p99 / missingP99),
    note: `${rounds} of each, one at a time; p99 ratio ${(p99 / missingP99).toFixed(2)}`,
  });
}
