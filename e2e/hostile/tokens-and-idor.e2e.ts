/**
 * Hostile input, identity: forged access tokens are refused by both services (while a validly signed
 * control token is accepted, so the forging itself is sound), and one user cannot touch another's posts
 * or sessions. The victim's state is read back afterwards: unchanged.
 */
import { expect, test } from "bun:test";
import { decodeJwt } from "jose";
import { countRows, createPost } from "../lib/checks.ts";
import { createClient, Tally } from "../lib/client.ts";
import { forgeTokens } from "../lib/forge.ts";
import { type Attack, attackOf, recordResult } from "../lib/results.ts";
import { startStack } from "../lib/stack.ts";

test("forged tokens get 401 from both services and other users' posts and sessions cannot be touched", async () => {
  await using stack = await startStack();
  const tally = new Tally();
  const auth = createClient(stack.auth.url, tally);
  const post = createClient(stack.post.url, tally);
  const victim = await auth.register("Victim");
  const attacker = await auth.register("Attacker");
  const victimPost = await createPost(post, victim.accessToken, "mine");
  const sid = String(decodeJwt(victim.accessToken).sid);
  const jwks = (await auth.get("/.well-known/jwks.json")).body;
  const { valid, forged } = await forgeTokens({ db: stack.authDb, signingKeySecret: stack.signingKeySecret }, jwks, {
    sub: victim.id,
    sid,
  });
  const missingPost = `/api/posts/${crypto.randomUUID()}`;

  // The control: a token signed with the real key is accepted by both.
  expect((await auth.get("/api/users/me", valid)).status).toBe(200);
  expect((await post.call("DELETE", missingPost, { token: valid })).status).toBe(404);
  const refused: Record<string, number[]> = {};
  const attacks: Attack[] = [];
  for (const [name, token] of Object.entries(forged)) {
    const replies = [
      await auth.get("/api/users/me", token),
      await post.call("DELETE", `/api/posts/${victimPost}`, { token }),
      await post.call("POST", "/api/posts", { body: { title: "x", content: "y" }, token }),
    ];
    refused[name] = replies.map((reply) => reply.status);
    attacks.push(...replies.map((reply) => attackOf(`token: ${name}`, reply)));
  }
  expect(refused).toEqual(Object.fromEntries(Object.keys(forged).map((name) => [name, [401, 401, 401]])));

  // IDOR: the attacker's own valid token against the victim's things.
  const idorReplies = {
    patchPost: await post.call("PATCH", `/api/posts/${victimPost}`, {
      body: { title: "pwned" },
      token: attacker.accessToken,
    }),
    deletePost: await post.call("DELETE", `/api/posts/${victimPost}`, { token: attacker.accessToken }),
    deleteSession: await auth.call("DELETE", `/api/auth/sessions/${sid}`, { token: attacker.accessToken }),
    logoutWithOwnToken: await auth.post("/api/auth/logout", { refreshToken: `${victim.refreshToken}x` }),
  };
  const idor = Object.fromEntries(Object.entries(idorReplies).map(([name, reply]) => [name, reply.status]));
  for (const [name, reply] of Object.entries(idorReplies)) attacks.push(attackOf(`IDOR: ${name}`, reply));
  expect(idor).toEqual({ patchPost: 403, deletePost: 403, deleteSession: 404, logoutWithOwnToken: 401 });

  // Nothing changed: the victim's post, session and token are intact; one post in all.
  const after = await post.get(`/api/posts/${victimPost}`);
  expect({ status: after.status, title: after.body.title, author: after.body.author.id }).toEqual({
    status: 200,
    title: "mine",
    author: victim.id,
  });
  const sessions = await auth.get("/api/auth/sessions", victim.accessToken);
  expect(sessions.body.items.map((s: { id: string }) => s.id)).toContain(sid);
  expect(await countRows(stack.postDb, "posts")).toBe(1);
  expect(tally.serverErrors).toBe(0);

  const attempts = Object.keys(forged).length * 3 + Object.keys(idor).length;
  recordResult({
    id: "hostile.tokens-idor",
    scenario:
      "JWT attacks (alg none, HS256 with the public key, foreign key, unknown kid, expired, wrong aud, tampered, unsigned) and IDOR",
    checked:
      "every forged token 401 on auth and post (a real-key control accepted); other users' post 403, session 404; victim's post, session and token intact",
    figures: {
      requests: tally.requests,
      attacks: attempts,
      refused4xx: attempts,
      changed: 0,
      serverErrors: tally.serverErrors,
    },
    attacks,
  });
}, 60_000);
