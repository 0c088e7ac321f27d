/** A stand-in for the auth service in tests (never imported by service code): a real listener on port 0. */

import { type PublicUser, UserBatchRequest } from "@chirp/contracts";
import { createTestIssuer } from "@chirp/platform/auth/testing";

/**
 * Serves `GET /.well-known/jwks.json` and `POST /api/users/batch` as auth does, signs tokens with real
 * Ed25519 keys, and records the batch calls. `available = false` makes the batch lookup answer 503.
 */
export async function startFakeAuth({ issuer = "chirp-auth", audience = "chirp" } = {}) {
  const tokens = await createTestIssuer({ issuer, audience });
  const users = new Map<string, PublicUser>();
  const batchCalls: string[][] = [];
  const state = { available: true };
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const { pathname } = new URL(req.url);
      if (pathname === "/.well-known/jwks.json") return Response.json(tokens.jwks());
      if (pathname === "/api/users/batch" && req.method === "POST") {
        if (!state.available) return new Response("unavailable", { status: 503 });
        const { ids } = UserBatchRequest.parse(await req.json());
        batchCalls.push(ids);
        return Response.json({ users: ids.flatMap((id) => users.get(id) ?? []) });
      }
      return new Response("not found", { status: 404 });
    },
  });
  return {
    url: server.url.href,
    tokens,
    batchCalls,
    state,
    /** A user auth knows (and the post projection may not). */
    addUser(id: string, name: string) {
      users.set(id, { id, name, bio: "", createdAt: new Date().toISOString(), postCount: 0 });
    },
    [Symbol.dispose]: () => server.stop(true),
  };
}

export type FakeAuth = Awaited<ReturnType<typeof startFakeAuth>>;
