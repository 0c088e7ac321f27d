/**
 * Hostile input, accounts: "log out everywhere" revokes exactly the sessions it names (a login in the same
 * second works at once in both services), and a deleted account leaves no trace of its id or e-mail in any
 * collection of auth or any table of post, beyond two kinds of row that hold the bare id until they are
 * purged: post's revocations (until the tokens expire) and the author's tombstone (until the inbox forgets).
 */
import { expect, test } from "bun:test";
import { eventually } from "@chirp/platform/testing";
import { TOTP } from "otpauth";
import { createPost } from "../lib/checks.ts";
import { createClient, Tally } from "../lib/client.ts";
import { recordResult } from "../lib/results.ts";
import { settled } from "../lib/settle.ts";
import { type Stack, startStack } from "../lib/stack.ts";
import { openTopics } from "../lib/topics.ts";

test("after log out everywhere, a login at once works in both services and every old token is refused", async () => {
  await using stack = await startStack();
  const tally = new Tally();
  const auth = createClient(stack.auth.url, tally);
  const post = createClient(stack.post.url, tally);
  const account = await auth.register("Rex");
  const second = await auth.post("/api/auth/login", { email: account.email, password: account.password });
  const oldTokens = [account.accessToken, second.body.accessToken as string];
  for (const token of oldTokens) expect((await post.get("/api/whoami", token)).status).toBe(200);

  expect((await auth.call("DELETE", "/api/auth/sessions", { token: account.accessToken })).status).toBe(204);
  const fresh = await auth.post("/api/auth/login", { email: account.email, password: account.password });
  const token = fresh.body.accessToken as string;
  // Refused by post once the revocations arrive; the fresh login's token is accepted throughout.
  const refusedAfterMs = await (async () => {
    const started = performance.now();
    await eventually(
      async () => {
        expect((await post.get("/api/whoami", token)).status).toBe(200);
        const statuses = await Promise.all(oldTokens.map(async (old) => (await post.get("/api/whoami", old)).status));
        return statuses.every((status) => status === 401);
      },
      { timeoutMs: 5_000, what: "post to refuse every token of the revoked sessions" },
    );
    return Math.round(performance.now() - started);
  })();
  const afterwards = {
    post: (await post.get("/api/whoami", token)).status,
    auth: (await auth.get("/api/users/me", token)).status,
    oldOnAuth: await Promise.all(oldTokens.map(async (old) => (await auth.get("/api/users/me", old)).status)),
  };
  expect(afterwards).toEqual({ post: 200, auth: 200, oldOnAuth: [401, 401] });
  expect(tally.serverErrors).toBe(0);

  recordResult({
    id: "hostile.revocation-exact",
    scenario: "log out everywhere, then log in within the same second",
    checked: "the new token works on auth and post at once and after; both old sessions' tokens refused by both",
    figures: {
      requests: tally.requests,
      oldRefusedByPostAfterMs: refusedAfterMs,
      serverErrors: tally.serverErrors,
    },
    attacks: [
      {
        attack: "the old sessions' tokens after log out everywhere",
        request: "GET /api/users/me, GET /api/whoami (post)",
        answer: `401 from both (post within ${refusedAfterMs} ms); the new login's token 200 on both`,
      },
    ],
  });
}, 60_000);

/**
 * Where `needles` (an id, and an e-mail in its stored, lower-case form) still appear: `collection` or `table`
 * names with the number of documents or rows that hold one.
 */
async function traces(stack: Stack, needles: string[]) {
  const found: Record<string, number> = {};
  const count = (where: string, text: string) => {
    if (needles.some((needle) => text.includes(needle))) found[where] = (found[where] ?? 0) + 1;
  };
  for (const { name } of await stack.authDb.listCollections({}, { nameOnly: true }).toArray()) {
    for (const document of await stack.authDb.collection(name).find().toArray()) {
      count(`auth.${name}`, JSON.stringify(document));
    }
  }
  const tables = await stack.postDb<{ name: string }[]>`
    select table_name as name from information_schema.tables where table_schema = 'public'`;
  for (const { name } of tables) {
    const rows = await stack.postDb<{ row: string }[]>`select row_to_json(t)::text as row from ${stack.postDb(name)} t`;
    for (const { row } of rows) count(`post.${name}`, row);
  }
  return found;
}

test("a deleted account leaves neither its id nor its e-mail in any store of either service", async () => {
  await using stack = await startStack();
  await using topics = await openTopics(stack.brokers, stack.prefix);
  const tally = new Tally();
  const auth = createClient(stack.auth.url, tally);
  const post = createClient(stack.post.url, tally);
  const gone = await auth.register("Gone");
  const stays = await auth.register("Stays");
  // A life worth erasing: a failed and a good login, a profile edit, posts, a revoked session, the welcome mail.
  await auth.post("/api/auth/login", { email: gone.email, password: "not the password" });
  const other = await auth.post("/api/auth/login", { email: gone.email, password: gone.password });
  await auth.call("PATCH", "/api/users/me", { body: { bio: "soon gone" }, token: gone.accessToken });
  await createPost(post, gone.accessToken, "first");
  await createPost(post, gone.accessToken, "second");
  await createPost(post, stays.accessToken, "kept");
  await auth.post("/api/auth/logout", { refreshToken: other.body.refreshToken });
  // MFA on, and a login through a recovery code: a sealed secret, hashed codes, spent factors.
  const setup = await auth.post("/api/auth/mfa/totp/setup", { password: gone.password }, gone.accessToken);
  const code = new TOTP({ secret: setup.body.secret }).generate();
  const enabled = await auth.post("/api/auth/mfa/totp/enable", { code }, gone.accessToken);
  expect(enabled.status).toBe(200);
  const challenge = await auth.post("/api/auth/login", { email: gone.email, password: gone.password });
  const recoveryCode = enabled.body.recoveryCodes[0];
  const mfaLogin = await auth.post("/api/auth/login/mfa", { mfaToken: challenge.body.mfaToken, recoveryCode });
  expect(mfaLogin.status).toBe(200);
  await settled(stack, topics);
  const needles = [gone.id, gone.email.toLowerCase()];
  expect(Object.keys(await traces(stack, needles)).length).toBeGreaterThan(5);

  const deleted = await auth.call("DELETE", "/api/users/me", {
    body: { password: gone.password },
    token: gone.accessToken,
  });
  expect(deleted.status).toBe(204);
  await settled(stack, topics);
  // Two kinds of row keep the bare id for a while, then are purged: post's revocations, until the tokens they
  // refuse have expired, and the author's tombstone (no name), until no event about them can come again.
  const { "post.revoked_sessions": revocations, "post.authors": tombstones, ...left } = await traces(stack, needles);
  expect(left).toEqual({});
  const [author] = await stack.postDb<{ name: string; bio: string; dead: boolean }[]>`
    select name, bio, deleted_at is not null as dead from authors where id = ${gone.id}`;
  expect({ tombstones, author }).toEqual({ tombstones: 1, author: { name: "", bio: "", dead: true } });
  // The control: the same search finds the account that stays.
  const control = await traces(stack, [stays.id, stays.email.toLowerCase()]);
  expect(Object.keys(control)).toEqual(expect.arrayContaining(["auth.users", "auth.activity", "post.authors"]));
  expect(tally.serverErrors).toBe(0);

  recordResult({
    id: "hostile.erasure",
    scenario:
      "an account with logins, a failed login, an edit, posts, a revoked session, MFA on with a recovery-code login, and its welcome mail, deleted",
    checked:
      "every auth collection and post table searched for the id and e-mail: none left but post's revocations (until the tokens expire) and the author's nameless tombstone (until the inbox retention); the same search finds the other account",
    figures: {
      requests: tally.requests,
      storesSearched: Object.keys(control).length,
      revocationRowsLeft: revocations ?? 0,
      authorTombstonesLeft: tombstones ?? 0,
      serverErrors: tally.serverErrors,
    },
    attacks: [
      {
        attack: "the deleted account's id and e-mail, searched in every auth collection and post table",
        request: "DELETE /api/users/me, then every collection and table read",
        answer: `204; found only in post's revocations (${revocations ?? 0}) and the nameless author tombstone (${tombstones ?? 0})`,
      },
    ],
  });
}, 120_000);
