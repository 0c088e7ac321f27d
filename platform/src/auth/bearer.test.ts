import { afterAll, describe, expect, test } from "bun:test";
import { SignJWT } from "jose";
import { testServiceApp } from "../testing.ts";
import { bearerAuth, bearerToken } from "./bearer.ts";
import { createTestIssuer } from "./testing.ts";
import { createTokenVerifier } from "./token-verifier.ts";

const issuer = await createTestIssuer({ issuer: "test-auth", audience: "test" });
let jwksFetches = 0;
const jwksServer = Bun.serve({
  hostname: "127.0.0.1",
  port: 0,
  fetch: () => {
    jwksFetches++;
    return Response.json(issuer.jwks());
  },
});
afterAll(() => jwksServer.stop(true));

const revokedSessions = new Set<string>();
/** `/me` checks the bearer with the middleware, `/guarded/me` with the guard: every test below runs on both. */
function appWith(jwksUrl = new URL("/.well-known/jwks.json", jwksServer.url).href) {
  const verifier = createTokenVerifier({ jwksUrl, issuer: "test-auth", audience: "test", cooldownMs: 0 });
  const auth = bearerAuth({ verifier, isRevoked: (claims) => revokedSessions.has(claims.sid) });
  return testServiceApp()
    .use("/me", auth.middleware)
    .get("/me", (c) => c.json({ sub: c.var.caller.userId, role: c.var.caller.role }))
    .get("/guarded/me", (c) => auth.guard(c, ({ sub, role }) => c.json({ sub, role })));
}
const app = appWith();

describe("bearerToken", () => {
  test("takes the token after the Bearer scheme, in any case, with extra spaces", () => {
    expect(bearerToken("Bearer abc.def.ghi")).toBe("abc.def.ghi");
    expect(bearerToken("bearer   abc.def.ghi ")).toBe("abc.def.ghi");
    expect(bearerToken("BEARER abc")).toBe("abc");
  });

  test("finds none without a header, with another scheme, with nothing after the scheme, or a tab for the space", () => {
    const headers = [
      undefined,
      "",
      "Bearer",
      "Bearer ",
      "Bearer    ",
      "Basic dXNlcjpwYXNz",
      "Bearerabc.def",
      "Bearer\tabc",
    ];
    for (const header of headers) {
      expect(bearerToken(header)).toBeUndefined();
    }
  });
});

describe.each(["/me", "/guarded/me"])("bearerAuth with a JWKS verifier, at %s", (path) => {
  const me = (token?: string) => app.request(path, token ? { headers: { authorization: `Bearer ${token}` } } : {});

  test("refuses a valid token with something after it as invalid, not as missing", async () => {
    const token = await issuer.sign({ sub: "u1" });
    const res = await app.request(path, { headers: { authorization: `Bearer ${token} extra` } });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe('Bearer error="invalid_token"');
  });

  test("admits a valid token and exposes its claims", async () => {
    const res = await me(await issuer.sign({ sub: "u1", role: "admin" }));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ sub: "u1", role: "admin" });
  });

  test("refuses a missing token with a 401 problem and a challenge", async () => {
    const res = await me();
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toBe("Bearer");
    expect(res.headers.get("content-type")).toBe("application/problem+json");
  });

  test("refuses expired tokens, and tokens for another issuer or audience", async () => {
    const tokens = [
      await issuer.sign({ sub: "u1" }, -60),
      await issuer.sign({ sub: "u1", iss: "someone-else" }),
      await issuer.sign({ sub: "u1", aud: "other-service" }),
      "not.a.jwt",
    ];
    const statuses = await Promise.all(tokens.map(async (token) => (await me(token)).status));
    expect(statuses).toEqual([401, 401, 401, 401]);
  });

  test("refuses a token issued in the future or older than any access token lifetime", async () => {
    const now = Math.floor(Date.now() / 1000);
    const tenYears = 10 * 365 * 24 * 3600;
    const tokens = [
      await issuer.sign({ sub: "u1", iat: now + tenYears, exp: now + tenYears + 900 }),
      await issuer.sign({ sub: "u1", iat: now + 600 }),
      await issuer.sign({ sub: "u1", iat: now - 2 * 3600 }),
      await issuer.sign({ sub: "u1", iat: now + 30 }),
    ];
    const statuses = await Promise.all(tokens.map(async (token) => (await me(token)).status));
    expect(statuses).toEqual([401, 401, 401, 200]);
  });

  test("refuses a token signed with a symmetric algorithm, even with a matching kid", async () => {
    const [jwk] = issuer.jwks().keys;
    const forged = await new SignJWT({ sub: "u1", sid: "s1", role: "admin" })
      .setProtectedHeader({ alg: "HS256", kid: jwk?.kid ?? "" })
      .setIssuer("test-auth")
      .setAudience("test")
      .setIssuedAt()
      .setJti("j")
      .setExpirationTime("5m")
      .sign(new TextEncoder().encode(jwk?.x ?? "secret"));
    expect((await me(forged)).status).toBe(401);
  });

  test("refuses a token whose claims miss the session", async () => {
    const token = await issuer.sign({ sub: "u1", sid: "" });
    expect((await me(token)).status).toBe(401);
  });

  test("refetches the key set when a token names a key it has not seen (rotation)", async () => {
    expect((await me(await issuer.sign({ sub: "u1" }))).status).toBe(200);
    const before = jwksFetches;
    await issuer.rotate();
    expect((await me(await issuer.sign({ sub: "u1" }))).status).toBe(200);
    expect(jwksFetches).toBe(before + 1);
  });

  test("refuses a token of a revoked session", async () => {
    const sid = `revoked${path.replaceAll("/", "-")}`;
    const token = await issuer.sign({ sub: "u1", sid });
    expect((await me(token)).status).toBe(200);
    revokedSessions.add(sid);
    const res = await me(token);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ detail: "The session of this access token has ended." });
  });

  test("answers 503, not 401, when the key set cannot be fetched", async () => {
    const down = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("no") });
    const url = new URL("/.well-known/jwks.json", down.url).href;
    down.stop(true);
    const res = await appWith(url).request(path, {
      headers: { authorization: `Bearer ${await issuer.sign({ sub: "u1" })}` },
    });
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("1");
  });
});

describe("bearerAuth's guard", () => {
  test("answers synchronously once the token was verified, and still checks revocation then", async () => {
    const verifier = createTokenVerifier({
      jwksUrl: new URL("/.well-known/jwks.json", jwksServer.url).href,
      issuer: "test-auth",
      audience: "test",
    });
    const auth = bearerAuth({ verifier, isRevoked: (claims) => revokedSessions.has(claims.sid) });
    const app = testServiceApp().get("/me", (c) => auth.guard(c, ({ sub }) => c.json({ sub })));
    const token = await issuer.sign({ sub: "u1", sid: "guarded-session" });
    const call = () => app.request("/me", { headers: { authorization: `Bearer ${token}` } });

    const first = call();
    expect(first).toBeInstanceOf(Promise);
    expect((await first).status).toBe(200);
    const again = call();
    expect(again).toBeInstanceOf(Response);
    expect(await (await again).json()).toEqual({ sub: "u1" });

    revokedSessions.add("guarded-session");
    const revoked = await call();
    expect(revoked.status).toBe(401);
    expect(revoked.headers.get("www-authenticate")).toBe('Bearer error="invalid_token"');
  });
});
