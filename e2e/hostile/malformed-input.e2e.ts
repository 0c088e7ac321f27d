/**
 * Hostile input, shape: operator injection, prototype-pollution keys, oversized bodies and headers,
 * invalid UTF-8, wrong content types, absurd paging values and forged cursors. Each gets a clear 4xx (no
 * 5xx, no hang), and the databases hold exactly what they held before.
 */
import { expect, test } from "bun:test";
import { countRows, createPost } from "../lib/checks.ts";
import { createClient, type Reply, Tally } from "../lib/client.ts";
import { type Attack, attackOf, recordResult } from "../lib/results.ts";
import { startStack } from "../lib/stack.ts";

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");

test("malformed and malicious requests get a 4xx and change nothing", async () => {
  await using stack = await startStack();
  const tally = new Tally();
  const auth = createClient(stack.auth.url, tally);
  const post = createClient(stack.post.url, tally);
  const owner = await auth.register("Owner");
  await createPost(post, owner.accessToken, "kept");
  const usersBefore = await stack.authDb.collection("users").countDocuments();
  const token = owner.accessToken;
  const json = { "content-type": "application/json" };
  const bigBody = JSON.stringify({ title: "x".repeat(2_000_000), content: "y" });
  const invalidUtf8 = new Uint8Array([
    ...new TextEncoder().encode('{"email":"'),
    0xff,
    0xfe,
    0xc3,
    ...new TextEncoder().encode('","password":"12345678"}'),
  ]);

  const cases: Record<string, () => Promise<Reply>> = {
    "login with {$gt: ''} as e-mail": () => auth.post("/api/auth/login", { email: { $gt: "" }, password: "whatever1" }),
    "login with {$ne: null} as password": () =>
      auth.post("/api/auth/login", { email: owner.email, password: { $ne: null } }),
    "register with an operator e-mail": () =>
      auth.post("/api/auth/register", { name: "x", email: { $regex: ".*" }, password: "long enough" }),
    "batch lookup with an operator id": () => auth.post("/api/users/batch", { ids: [{ $gt: "" }] }),
    "refresh with an operator token": () => auth.post("/api/auth/refresh", { refreshToken: { $exists: true } }),
    "register with __proto__ role admin": () =>
      auth.call("POST", "/api/auth/register", {
        raw: '{"name":"p","email":"not-an-email","password":"long enough","__proto__":{"role":"admin"}}',
        headers: json,
      }),
    "patch me with constructor.prototype": () =>
      auth.call("PATCH", "/api/users/me", {
        raw: '{"name":"","constructor":{"prototype":{"role":"admin"}}}',
        headers: json,
        token,
      }),
    "post with __proto__ only": () =>
      post.call("POST", "/api/posts", { raw: '{"__proto__":{"title":"t","content":"c"}}', headers: json, token }),
    "2 MB body to auth": () => auth.call("POST", "/api/auth/register", { raw: bigBody, headers: json }),
    "2 MB body to post": () => post.call("POST", "/api/posts", { raw: bigBody, headers: json, token }),
    "64 KB header to auth": () =>
      auth.call("GET", "/api/users/me", { headers: { "x-junk": "a".repeat(65_536) }, token }),
    "64 KB header to post": () => post.call("GET", "/api/posts", { headers: { "x-junk": "a".repeat(65_536) } }),
    "invalid UTF-8 JSON to login": () => auth.call("POST", "/api/auth/login", { raw: invalidUtf8, headers: json }),
    "invalid UTF-8 JSON to posts": () => post.call("POST", "/api/posts", { raw: invalidUtf8, headers: json, token }),
    "text/plain body to register": () =>
      auth.call("POST", "/api/auth/register", {
        raw: JSON.stringify({ name: "t", email: "t@example.com", password: "long enough" }),
        headers: { "content-type": "text/plain" },
      }),
    "form body to posts": () =>
      post.call("POST", "/api/posts", {
        raw: "title=t&content=c",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        token,
      }),
    "truncated JSON to posts": () =>
      post.call("POST", "/api/posts", { raw: '{"title":"t","content":', headers: json, token }),
    "limit=1e12": () => post.get("/api/posts?limit=1000000000000"),
    "limit=-1": () => post.get("/api/posts?limit=-1"),
    "limit=NaN": () => post.get("/api/posts?limit=NaN"),
    "cursor of random bytes": () =>
      post.get(`/api/posts?cursor=${Buffer.from(crypto.getRandomValues(new Uint8Array(48))).toString("base64url")}`),
    "cursor with SQL in the id": () =>
      post.get(`/api/posts?cursor=${b64(["2024-01-01T00:00:00.000Z", "1' OR '1'='1"])}`),
    "cursor with a far-future date": () =>
      post.get(`/api/posts?cursor=${b64(["+275760-09-13T00:00:00.000Z", crypto.randomUUID()])}`),
    "cursor 10 KB long": () => post.get(`/api/posts?cursor=${"A".repeat(10_000)}`),
    "authorId with SQL": () => post.get(`/api/posts?authorId=${encodeURIComponent("x' OR 1=1 --")}`),
    "post id not a uuid": () => post.get("/api/posts/..%2F..%2Fetc%2Fpasswd"),
    // A NUL reached PostgreSQL: in post's projection it stalled the user's events, in a post it answered 500.
    "bio with a NUL": () => auth.call("PATCH", "/api/users/me", { body: { bio: "s\u0000x" }, token }),
    "name with a NUL": () => auth.call("PATCH", "/api/users/me", { body: { name: "N\u0000" }, token }),
    "register with a bell in the name": () =>
      auth.post("/api/auth/register", { name: "x\u0007", email: "bell@example.com", password: "long enough" }),
    "post title with a NUL": () => post.call("POST", "/api/posts", { body: { title: "t\u0000", content: "c" }, token }),
    "post content with a NUL": () =>
      post.call("POST", "/api/posts", { body: { title: "t", content: "c\u0000" }, token }),
    "post title with a line feed": () =>
      post.call("POST", "/api/posts", { body: { title: "t\nfake line", content: "c" }, token }),
  };
  const statuses: Record<string, number> = {};
  const attacks: Attack[] = [];
  for (const [name, send] of Object.entries(cases)) {
    const reply = await send();
    statuses[name] = reply.status;
    attacks.push(attackOf(name, reply));
  }
  const notClear4xx = Object.entries(statuses).filter(([, status]) => status < 400 || status >= 500);
  expect(notClear4xx).toEqual([]);

  // Nothing changed: no new account, one post, the owner is still a plain user with the same name.
  expect(await stack.authDb.collection("users").countDocuments()).toBe(usersBefore);
  expect(await countRows(stack.postDb, "posts")).toBe(1);
  const me = await auth.get("/api/users/me", token);
  expect({ name: me.body.name, polluted: ({} as Record<string, unknown>).role }).toEqual({
    name: "Owner",
    polluted: undefined,
  });
  expect(tally.serverErrors + tally.timeouts).toBe(0);

  const byStatus: Record<string, number> = {};
  for (const status of Object.values(statuses)) byStatus[status] = (byStatus[status] ?? 0) + 1;
  recordResult({
    id: "hostile.malformed-input",
    scenario:
      "operator injection, prototype-pollution keys, oversized body/header, invalid UTF-8, wrong content type, absurd limit, forged cursors, control characters in text",
    checked: "each a 4xx (none 2xx/5xx, none hung); users and posts unchanged; the owner's profile unchanged",
    figures: {
      requests: tally.requests,
      attacks: Object.keys(cases).length,
      ...Object.fromEntries(Object.entries(byStatus).map(([s, n]) => [`status${s}`, n])),
      serverErrors: tally.serverErrors,
      changed: 0,
    },
    attacks,
  });
}, 60_000);
