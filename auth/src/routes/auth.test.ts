import { afterAll, beforeAll, describe, expect, spyOn, test } from "bun:test";
import { mailedToken, startTestService, type TestService, testClient, testConfig } from "../testing/index.ts";

let service: TestService;
beforeAll(async () => {
  service = await startTestService(
    testConfig({
      LOGIN_MAX_FAILURES_PER_ACCOUNT: "3",
      LOGIN_MAX_FAILURES_PER_ADDRESS: "5",
      ADMIN_EMAILS: "boss@example.com",
    }),
  );
});
afterAll(() => service[Symbol.asyncDispose]());

const tokenPair = {
  accessToken: expect.stringMatching(/^[\w-]+\.[\w-]+\.[\w-]+$/),
  refreshToken: expect.stringMatching(/^[\w-]{43}$/),
  tokenType: "Bearer",
  expiresIn: 900,
};

describe("POST /api/auth/register", () => {
  test("creates the account with a normalised e-mail and returns it with a token pair", async () => {
    const client = testClient(service);
    const res = await client.post("/api/auth/register", {
      name: " Ada ",
      email: "  Ada.Lovelace@Example.COM ",
      password: "correct horse",
    });
    expect(res.status).toBe(201);
    expect(res.body).toEqual({
      user: {
        id: expect.stringMatching(/^[\w-]{22}$/),
        name: "Ada",
        email: "ada.lovelace@example.com",
        bio: "",
        createdAt: expect.any(String),
        postCount: 0,
        emailVerified: false,
        role: "user",
        mfaEnabled: false,
      },
      ...tokenPair,
    });
  });

  test("returns 409 when the e-mail is taken, whatever its case", async () => {
    const client = testClient(service);
    const { email } = await client.register();
    const res = await client.post("/api/auth/register", {
      name: "B",
      email: email.toUpperCase(),
      password: "12345678",
    });
    expect(res.status).toBe(409);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
  });

  test("lets exactly one of two racing registrations of one e-mail win", async () => {
    const client = testClient(service);
    const body = { name: "Twin", email: "twin@example.com", password: "correct horse" };
    const results = await Promise.all([
      client.post("/api/auth/register", body),
      client.post("/api/auth/register", body),
    ]);
    expect(results.map((res) => res.status).sort()).toEqual([201, 409]);
  });

  test("lists each invalid field in a 400 problem", async () => {
    const res = await testClient(service).post("/api/auth/register", { name: "", email: "nope", password: "short" });
    expect(res.status).toBe(400);
    expect(res.body.errors.map((error: { path: string }) => error.path)).toEqual(["name", "email", "password"]);
  });

  test("accepts a 128-character password and refuses 129", async () => {
    const client = testClient(service);
    const email = "long@example.com";
    const tooLong = await client.post("/api/auth/register", { name: "L", email, password: "p".repeat(129) });
    expect(tooLong.status).toBe(400);
    const longest = await client.post("/api/auth/register", { name: "L", email, password: "p".repeat(128) });
    expect(longest.status).toBe(201);
    const almost = await client.post("/api/auth/login", { email, password: "p".repeat(127) });
    expect(almost.status).toBe(401);
  });

  test("answers 413 to a body over the limit", async () => {
    const res = await testClient(service).post("/api/auth/register", { name: "x".repeat(70_000), email: "a@b.co" });
    expect(res.status).toBe(413);
  });
});

describe("POST /api/auth/login", () => {
  test("opens a session for the right password and returns the user and a token pair", async () => {
    const client = testClient(service);
    const registered = await client.register();
    const res = await client.post("/api/auth/login", {
      email: registered.email.toUpperCase(),
      password: registered.password,
    });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ user: registered.user, ...tokenPair });
  });

  test("answers an unknown e-mail and a wrong password with the same 401 body", async () => {
    const client = testClient(service);
    const { email } = await client.register();
    const wrong = await client.post("/api/auth/login", { email, password: "not the password" });
    const unknown = await client.post("/api/auth/login", { email: "nobody@example.com", password: "not the password" });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect(wrong.body).toEqual(unknown.body);
  });

  test("spends one real password verification on an unknown e-mail, as on a wrong password", async () => {
    // Timing itself is measured by bench/login-timing.ts; here, the work that makes the two paths cost alike.
    const { email } = await testClient(service).register();
    const verify = spyOn(Bun.password, "verify");
    try {
      await testClient(service).post("/api/auth/login", { email, password: "not the password" });
      const wrongPassword = verify.mock.calls.length;
      await testClient(service).post("/api/auth/login", { email: "nobody@example.com", password: "not the password" });
      expect({ wrongPassword, unknownEmail: verify.mock.calls.length - wrongPassword }).toEqual({
        wrongPassword: 1,
        unknownEmail: 1,
      });
    } finally {
      verify.mockRestore();
    }
  });

  test("throttles an account from the failing address with 429 and Retry-After; its owner elsewhere gets in", async () => {
    const { email, password } = await testClient(service).register();
    const guesser = testClient(service);
    for (let i = 0; i < 3; i++) {
      expect((await guesser.post("/api/auth/login", { email, password: "wrong password" })).status).toBe(401);
    }
    // Even the right password from that address waits: a guesser cannot tell a hit from a refusal.
    const throttled = await guesser.post("/api/auth/login", { email, password });
    expect(throttled.status).toBe(429);
    expect(Number(throttled.headers.get("retry-after"))).toBeGreaterThan(800);
    // Five wrong passwords from anywhere locked the owner out too; not any more.
    expect((await testClient(service).post("/api/auth/login", { email, password })).status).toBe(200);
  });

  test("throttles an address after its failures, whatever the account", async () => {
    const attacker = testClient(service);
    for (let i = 0; i < 5; i++) {
      const res = await attacker.post("/api/auth/login", { email: `victim${i}@example.com`, password: "guess123" });
      expect(res.status).toBe(401);
    }
    const { email, password } = await testClient(service).register();
    expect((await attacker.post("/api/auth/login", { email, password })).status).toBe(429);
    expect((await testClient(service).post("/api/auth/login", { email, password })).status).toBe(200);
  });

  test("gives the admin role to a configured e-mail only once its owner verified it", async () => {
    const client = testClient(service);
    const claims = (token: string) => JSON.parse(Buffer.from(token.split(".")[1] ?? "", "base64url").toString());
    // Registering a listed address proves nothing: whoever did it first became admin.
    const boss = await client.post("/api/auth/register", {
      name: "Boss",
      email: "Boss@example.com",
      password: "12345678",
    });
    expect(boss.status).toBe(201);
    expect([boss.body.user.role, claims(boss.body.accessToken).role]).toEqual(["user", "user"]);
    expect(claims(boss.body.accessToken).emailVerified).toBe(false);

    const verified = await client.post("/api/auth/email/verify", {
      token: await mailedToken(service, boss.body.user.id, "verify-email"),
    });
    expect(verified.status).toBe(200);
    expect(verified.body.user).toMatchObject({ email: "boss@example.com", emailVerified: true, role: "admin" });
    const login = await client.post("/api/auth/login", { email: "boss@example.com", password: "12345678" });
    expect(claims(login.body.accessToken)).toMatchObject({ role: "admin", emailVerified: true });
    const user = await client.register();
    expect(claims(user.accessToken).role).toBe("user");
  });
});

describe("POST /api/auth/refresh", () => {
  test("trades a refresh token for a new pair that works", async () => {
    const client = testClient(service);
    const { refreshToken, user } = await client.register();
    const res = await client.post("/api/auth/refresh", { refreshToken });
    expect(res.status).toBe(200);
    // The same user shape as register, login and /me.
    expect(res.body).toEqual({ user, ...tokenPair });
    expect(res.body.refreshToken).not.toBe(refreshToken);
    expect((await client.get("/api/users/me", res.body.accessToken)).status).toBe(200);
  });

  test("revokes the whole session when a spent token is presented again", async () => {
    const client = testClient(service);
    const first = await client.register();
    const second = (await client.post("/api/auth/refresh", { refreshToken: first.refreshToken })).body;
    const replay = await client.post("/api/auth/refresh", { refreshToken: first.refreshToken });
    expect(replay.status).toBe(401);
    expect((await client.post("/api/auth/refresh", { refreshToken: second.refreshToken })).status).toBe(401);
    expect((await client.get("/api/users/me", second.accessToken)).status).toBe(401);
  });

  test("lets exactly one of two concurrent refreshes with one token win", async () => {
    const client = testClient(service);
    const { refreshToken } = await client.register();
    const results = await Promise.all([
      client.post("/api/auth/refresh", { refreshToken }),
      client.post("/api/auth/refresh", { refreshToken }),
    ]);
    expect(results.map((res) => res.status).sort()).toEqual([200, 401]);
  });

  test("answers 401 to an unknown token and 400 to a missing one", async () => {
    const client = testClient(service);
    expect((await client.post("/api/auth/refresh", { refreshToken: "made-up" })).status).toBe(401);
    expect((await client.post("/api/auth/refresh", {})).status).toBe(400);
  });
});

describe("POST /api/auth/logout", () => {
  test("revokes the session: its refresh and access tokens stop working", async () => {
    const client = testClient(service);
    const { refreshToken, accessToken } = await client.register();
    expect((await client.post("/api/auth/logout", { refreshToken })).status).toBe(204);
    expect((await client.post("/api/auth/refresh", { refreshToken })).status).toBe(401);
    expect((await client.get("/api/users/me", accessToken)).status).toBe(401);
    expect((await client.post("/api/auth/logout", { refreshToken })).status).toBe(401);
  });
});
