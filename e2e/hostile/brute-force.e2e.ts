/**
 * Hostile input, credentials: 1,000 wrong passwords against one account from ten addresses are throttled
 * (429 + Retry-After after a handful from each address), the real owner logs in from another address right
 * after (no lockout), and unknown e-mails are indistinguishable from wrong passwords by status, body or time.
 */
import { expect, test } from "bun:test";
import { uniqueName } from "@chirp/platform/testing";
import { type Account, createClient, type Reply, randomAddress, Tally } from "../lib/client.ts";
import { runSteps } from "../lib/load.ts";
import { attackOf, recordResult, repeatedAttack } from "../lib/results.ts";
import { startStack } from "../lib/stack.ts";
import { latencySummary, percentile } from "../lib/stats.ts";

const windowSeconds = 5;
const perAccount = 5;
const attempts = 1000;
const addresses = Array.from({ length: 10 }, randomAddress);

test("1,000 wrong passwords are throttled per address, the owner still gets in, and e-mails cannot be enumerated", async () => {
  await using stack = await startStack({
    authEnv: {
      LOGIN_FAILURE_WINDOW_SECONDS: `${windowSeconds}`,
      LOGIN_MAX_FAILURES_PER_ACCOUNT: `${perAccount}`,
      LOGIN_MAX_FAILURES_PER_ADDRESS: "50",
      // The account-wide slowdown is on (at the default threshold), kept short so the run stays short.
      LOGIN_ACCOUNT_SLOWDOWN_MS: "100",
    },
  });
  const tally = new Tally();
  const owner = await createClient(stack.auth.url, tally).register("Owner");
  const clients = addresses.map((address) => createClient(stack.auth.url, tally, address));
  const replies: Reply[] = [];
  const started = Date.now();
  await runSteps(attempts, 4, async (i) => {
    const client = clients[i % clients.length] as (typeof clients)[number];
    replies.push(await client.post("/api/auth/login", { email: owner.email, password: `wrong password ${i}` }));
  });
  const attackMs = Date.now() - started;
  const count = (status: number) => replies.filter((r) => r.status === status).length;
  expect(count(401) + count(429)).toBe(attempts);
  // Counted per address: each window that passes during the attack lets `perAccount` more tries through from
  // each address, and the four workers may pass the check together before a failure is recorded.
  const allowed = addresses.length * perAccount * (Math.ceil(attackMs / (windowSeconds * 1000)) + 1) + 4;
  expect(count(401)).toBeLessThanOrEqual(allowed);
  expect(replies.filter((r) => r.status === 429).every((r) => Number(r.headers.get("retry-after")) > 0)).toBe(true);

  // No lockout: right after the attack, with every attacking address throttled, the owner logs in from another
  // address at once (slowed, as the account drew many failures, never refused).
  const ownerClient = createClient(stack.auth.url, tally);
  const login = () => ownerClient.post("/api/auth/login", { email: owner.email, password: owner.password });
  const ownerLogin = await login();
  expect(ownerLogin.status).toBe(200);
  // An intruder's address that used up its tries is refused even the right password, until the window passes.
  const intruder = createClient(stack.auth.url, tally, randomAddress());
  for (let i = 0; i < perAccount; i++) {
    expect((await intruder.post("/api/auth/login", { email: owner.email, password: `guess ${i}` })).status).toBe(401);
  }
  const intruderRight = await intruder.post("/api/auth/login", { email: owner.email, password: owner.password });
  expect(intruderRight.status).toBe(429);
  expect((await login()).status).toBe(200);

  // Enumeration: fresh accounts and addresses (no throttling), wrong password vs unknown e-mail, interleaved.
  const accounts: Account[] = [];
  await runSteps(30, 2, async () => {
    accounts.push(await createClient(stack.auth.url, tally).register("Timing"));
  });
  const wrong: Reply[] = [];
  const unknown: Reply[] = [];
  for (let round = 0; round < 4; round++) {
    for (const account of accounts) {
      wrong.push(
        await createClient(stack.auth.url, tally).post("/api/auth/login", {
          email: account.email,
          password: "not the password",
        }),
      );
      unknown.push(
        await createClient(stack.auth.url, tally).post("/api/auth/login", {
          email: `${uniqueName("nobody")}@example.com`,
          password: "not the password",
        }),
      );
    }
  }
  const shape = (r: Reply) => ({ status: r.status, body: r.body, type: r.headers.get("content-type") });
  expect(new Set(wrong.map((r) => JSON.stringify(shape(r))))).toEqual(
    new Set(unknown.map((r) => JSON.stringify(shape(r)))),
  );
  expect(wrong.every((r) => r.status === 401)).toBe(true);
  const wrongMs = latencySummary(wrong.map((r) => r.ms));
  const unknownMs = latencySummary(unknown.map((r) => r.ms));
  const ratio =
    percentile(
      unknown.map((r) => r.ms),
      50,
    ) /
    percentile(
      wrong.map((r) => r.ms),
      50,
    );
  console.log(
    `[e2e] login timing ms: wrong password ${JSON.stringify(wrongMs)}, unknown e-mail ${JSON.stringify(unknownMs)}`,
  );
  expect(ratio).toBeGreaterThan(0.8);
  expect(ratio).toBeLessThan(1.25);
  expect(tally.serverErrors).toBe(0);

  recordResult({
    id: "hostile.brute-force",
    scenario: `${attempts} wrong passwords against one account from ${addresses.length} addresses (window ${windowSeconds} s, ${perAccount} per account and address)`,
    checked:
      "all 401/429, 429s carry Retry-After, at most the window's tries per address; the owner logs in from another address right after the attack (no lockout); an address that used its tries is refused even the right password; unknown e-mail vs wrong password: same status, body, content type, p50 within 0.8..1.25x",
    figures: {
      requests: tally.requests,
      wrongPasswords: attempts,
      attackMs,
      answered401: count(401),
      allowedByWindow: allowed,
      throttled429: count(429),
      ownerLoginMs: Math.round(ownerLogin.ms),
      samplesEach: wrong.length,
      wrongPasswordMs: `p50 ${wrongMs.p50} / p99 ${wrongMs.p99}`,
      unknownEmailMs: `p50 ${unknownMs.p50} / p99 ${unknownMs.p99}`,
      p50Ratio: Math.round(ratio * 100) / 100,
      serverErrors: tally.serverErrors,
    },
    attacks: [
      repeatedAttack(
        `wrong passwords for one account from ${addresses.length} addresses, 4 at once`,
        "POST /api/auth/login",
        replies,
      ),
      attackOf("the right password from an address that used its tries", intruderRight),
      repeatedAttack("wrong password for a real account (enumeration)", "POST /api/auth/login", wrong),
      repeatedAttack(
        `unknown e-mail (enumeration: same body, p50 ratio ${Math.round(ratio * 100) / 100})`,
        "POST /api/auth/login",
        unknown,
      ),
    ],
  });
}, 180_000);

test("one address flooding logins and registrations gets 429s, creates at most its quota, and others still log in", async () => {
  const registrations = 5;
  await using stack = await startStack({ authEnv: { REGISTER_MAX_PER_ADDRESS: `${registrations}` } });
  const tally = new Tally();
  const victim = await createClient(stack.auth.url, tally).register("Victim");
  const user = await createClient(stack.auth.url, tally).register("Bystander");
  const attacker = createClient(stack.auth.url, tally);
  const attack: Reply[] = [];
  const floodMs = 8000;
  const until = Date.now() + floodMs;
  // 16 loops from one address: wrong passwords for one account (throttled after five) and sign-ups.
  const loops = Array.from({ length: 16 }, async (_, loop) => {
    for (let i = 0; Date.now() < until; i++) {
      attack.push(
        loop % 2 === 0
          ? await attacker.post("/api/auth/login", { email: victim.email, password: `guess ${loop}.${i}` })
          : await attacker.post("/api/auth/register", {
              name: "Bot",
              email: `${uniqueName("bot")}@example.com`,
              password: "correct horse battery",
            }),
      );
    }
  });
  // Meanwhile a bystander logs in from its own address, one login after another.
  const bystander = createClient(stack.auth.url, tally);
  const logins: Reply[] = [];
  const bystanding = (async () => {
    while (Date.now() < until) {
      logins.push(await bystander.post("/api/auth/login", { email: user.email, password: user.password }));
    }
  })();
  await Promise.all([...loops, bystanding]);

  const count = (status: number, path: string) =>
    attack.filter((r) => r.status === status && r.request === `POST ${path}`).length;
  const created = count(201, "/api/auth/register");
  expect(created).toBeLessThanOrEqual(registrations);
  expect(count(429, "/api/auth/register")).toBeGreaterThan(0);
  const refused = attack.filter((r) => r.status === 429 || r.status === 503);
  expect(refused.every((r) => Number(r.headers.get("retry-after")) > 0)).toBe(true);
  // Nothing else; a 503 only while its own admitted attempts fill the hashing queue, with Retry-After.
  expect(attack.filter((r) => ![201, 401, 429, 503].includes(r.status)).map((r) => `${r.request} ${r.status}`)).toEqual(
    [],
  );
  expect(logins.length).toBeGreaterThan(0);
  expect(logins.filter((r) => r.status !== 200).map((r) => r.status)).toEqual([]);

  const bystanderMs = latencySummary(logins.map((r) => r.ms));
  recordResult({
    id: "hostile.flood-one-address",
    scenario: `16 loops from one address for ${floodMs / 1000} s: wrong passwords for one account and sign-ups (quota ${registrations})`,
    checked:
      "the attacker gets 401, then 429 (or 503 while its own admitted tries fill the hashing queue), each with Retry-After, and at most its quota of accounts; a bystander logging in from another address meanwhile gets 200 every time",
    figures: {
      attackRequests: attack.length,
      accountsCreated: created,
      registrationsRefused429: count(429, "/api/auth/register"),
      loginsRefused429: count(429, "/api/auth/login"),
      attackRefused503: count(503, "/api/auth/login") + count(503, "/api/auth/register"),
      bystanderLogins: logins.length,
      bystanderMs: `p50 ${bystanderMs.p50} / p99 ${bystanderMs.p99}`,
    },
    attacks: [
      repeatedAttack(
        "8 loops of wrong passwords from one address",
        "POST /api/auth/login",
        attack.filter((r) => r.request === "POST /api/auth/login"),
      ),
      repeatedAttack(
        `8 loops of sign-ups from one address (quota ${registrations})`,
        "POST /api/auth/register",
        attack.filter((r) => r.request === "POST /api/auth/register"),
      ),
    ],
  });
}, 120_000);
