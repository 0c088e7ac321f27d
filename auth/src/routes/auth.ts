import { createEvent, SessionEvents, UserEvents, UserLoginFailed, UserRegistered } from "@chirp/contracts";
import { validationHook } from "@chirp/platform/http";
import { createRoute, OpenAPIHono } from "@hono/zod-openapi";
import { HTTPException } from "hono/http-exception";
import { collections } from "../db.ts";
import type { AuthDeps, RouteEnv } from "../deps.ts";
import { RetryLaterError } from "../errors.ts";
import type { ChangeCheck } from "../events/outbox-types.ts";
import { newId } from "../ids.ts";
import type { AuthMetrics } from "../metrics.ts";
import { OverloadedError } from "../passwords/limiter.ts";
import { openSession, revokeSessions, tokenPair } from "../session-issuer.ts";
import { claimAddressAttempt, claimAttempt } from "../throttle.ts";
import { hashRefreshToken, newRefreshToken } from "../tokens/refresh-tokens.ts";
import { unauthorized } from "./bearer.ts";
import { originOf } from "./origin.ts";
import { Authenticated, LoginBody, problems, RefreshBody, RegisterBody, TokenPair } from "./schemas.ts";
import { ownView } from "./views.ts";

const json = <S>(schema: S) => ({ content: { "application/json": { schema } }, required: true });

const register = createRoute({
  method: "post",
  path: "/register",
  tags: ["auth"],
  summary: "Create an account and open a session",
  request: { body: json(RegisterBody) },
  responses: {
    201: {
      description: "The account and its first tokens",
      content: { "application/json": { schema: Authenticated } },
    },
    ...problems(400, 409, 413, 429, 503),
  },
});

const login = createRoute({
  method: "post",
  path: "/login",
  tags: ["auth"],
  summary: "Open a session with an e-mail and password",
  request: { body: json(LoginBody) },
  responses: {
    200: { description: "The user and new tokens", content: { "application/json": { schema: Authenticated } } },
    ...problems(400, 401, 429, 503),
  },
});

const refresh = createRoute({
  method: "post",
  path: "/refresh",
  tags: ["auth"],
  summary: "Trade a refresh token for a new pair; a reused token revokes its session",
  request: { body: json(RefreshBody) },
  responses: {
    200: { description: "A new token pair", content: { "application/json": { schema: TokenPair } } },
    ...problems(400, 401),
  },
});

const logout = createRoute({
  method: "post",
  path: "/logout",
  tags: ["auth"],
  summary: "Revoke the session of a refresh token",
  request: { body: json(RefreshBody) },
  responses: { 204: { description: "The session is revoked" }, ...problems(400, 401) },
});

/** `/api/auth`: registration, login and the refresh-token lifecycle; login outcomes are counted in `metrics`. */
export function authRoutes(deps: AuthDeps, metrics: AuthMetrics) {
  const refreshTtl = () => new Date(Date.now() + deps.settings.refreshTokenTtlMs);
  return new OpenAPIHono<RouteEnv>({ defaultHook: validationHook })
    .openapi(register, async (c) => {
      // As for logins: overload is refused before any work, and the throttle before a hashing slot is taken.
      if (deps.hasher.saturated()) throw deps.hasher.refusal();
      const attempt = {
        id: newId(),
        action: "register" as const,
        address: deps.clientAddress(c.req.raw),
        at: new Date(),
      };
      await claimAddressAttempt(deps.addressAttempts, deps.settings.registerLimit, attempt);
      return deps.hasher.admit(async () => {
        const { name, email, password } = c.req.valid("json");
        const taken = () => new HTTPException(409, { message: "An account with this e-mail exists already." });
        // A cheap early answer; the unique index still decides a race between two registrations.
        if (await deps.users.findByEmail(email)) throw taken();
        const passwordHash = await deps.hasher.hash(password);
        const now = new Date();
        const user = { id: newId(), email, name, bio: "", createdAt: now, updatedAt: now };
        const event = createEvent(UserRegistered, { userId: user.id, name, email }, originOf(c));
        await deps.outbox.record(
          [{ topic: UserEvents, event }],
          { collection: collections.users, ids: [user.id], expect: "present" },
          async () => {
            if (!(await deps.users.insert(user, passwordHash))) throw taken();
          },
        );
        const tokens = await openSession(deps, user, originOf(c), c.req.header("user-agent") ?? null);
        return c.json({ user: ownView(user, 0), ...tokens }, 201);
      });
    })
    .openapi(login, async (c) => {
      const { email, password } = c.req.valid("json");
      const address = deps.clientAddress(c.req.raw);
      // Recorded before the password check, for unknown e-mails too: both paths write the same fact.
      const attempt = { id: newId(), email, address, at: new Date() };
      // Overload is refused before any work, as the hasher would refuse it: refused after the throttle's round
      // trips to the database, the bench's 5x login overload had refusals at p50 4.5 s (6.9 ms refused first).
      if (deps.hasher.saturated()) {
        metrics.login("overloaded");
        throw deps.hasher.refusal();
      }
      // The throttle answers before the hasher admits the request: a throttled attempt that took a hashing
      // slot first let one address make everyone's login answer 503 (16 loops: 46 of 47 real logins refused).
      const { wait, delayMs } = await claimAttempt(deps.loginFailures, deps.settings.throttle, attempt);
      if (wait > 0) {
        const event = createEvent(UserLoginFailed, { email, reason: "throttled" }, originOf(c));
        await deps.outbox.record([{ topic: SessionEvents, event }], noChange, async () => {});
        metrics.login("throttled");
        throw new RetryLaterError(429, wait, "Too many failed logins; try again later.");
      }
      // An account under a flood of failures is slowed, never refused: its owner still gets in.
      if (delayMs > 0) await Bun.sleep(delayMs);
      // Refused for overload, the attempt never reached the password check: it is no failure.
      const withdraw = async (error: unknown): Promise<never> => {
        if (error instanceof OverloadedError) {
          metrics.login("overloaded");
          await deps.loginFailures.remove(attempt.id);
        }
        throw error;
      };
      return deps.hasher
        .admit(async () => {
          const user = await deps.users.findByEmail(email);
          // Always one credentials lookup and one hash, so unknown e-mails cost what wrong passwords cost. The
          // verify runs before `user` is looked at: `!user || verify(...)` skipped the dummy hash for unknown
          // e-mails and answered them in under half the time (docs/resilience.md, finding 7).
          const hash = await deps.users.passwordHash(user?.id ?? newId());
          const verified = await deps.hasher.verify(password, user ? hash : null);
          if (!user || !verified) {
            const reason = user ? "wrong_password" : "unknown_email";
            // No `userId` key at all for an unknown e-mail: MongoDB stores an undefined field as null, which
            // the relay would then refuse to publish (and stop at) as an invalid event.
            const who = user ? { userId: user.id } : {};
            const event = createEvent(UserLoginFailed, { ...who, email, reason }, originOf(c));
            // The failure is the attempt's fact, recorded already; the event is published while it exists.
            await deps.outbox.record(
              [{ topic: SessionEvents, event }],
              { collection: collections.loginFailures, ids: [attempt.id], expect: "present" },
              async () => {},
            );
            metrics.login(reason);
            throw new HTTPException(401, { message: "The e-mail or password is wrong." });
          }
          // Forgives the account's failures from this address, this attempt's fact among them.
          await deps.loginFailures.forget({ email, address });
          const tokens = await openSession(deps, user, originOf(c), c.req.header("user-agent") ?? null);
          const postCount = (await deps.users.postCounts([user.id])).get(user.id) ?? 0;
          metrics.login("success");
          return c.json({ user: ownView(user, postCount), ...tokens }, 200);
        })
        .catch(withdraw);
    })
    .openapi(refresh, async (c) => {
      const hash = hashRefreshToken(c.req.valid("json").refreshToken);
      const token = await deps.sessions.findRefresh(hash);
      const session = token && token.expiresAt.getTime() > Date.now() && (await deps.sessions.find(token.sessionId));
      if (!token || !session) throw unauthorized(c, "The refresh token is invalid or expired.");
      if (!(await deps.sessions.spend(hash, token))) {
        // Spent already: a replay of a stolen token or a lost race. Either way the session is compromised.
        await revokeSessions(deps, session.userId, [session.id], originOf(c));
        throw unauthorized(c, "The refresh token was used already; its session is revoked.");
      }
      const user = await deps.users.findById(session.userId);
      if (!user) throw unauthorized(c, "The account no longer exists.");
      const next = newRefreshToken();
      await deps.sessions.renew(session, hashRefreshToken(next), refreshTtl());
      return c.json(await tokenPair(deps, user, session.id, next), 200);
    })
    .openapi(logout, async (c) => {
      const token = await deps.sessions.findRefresh(hashRefreshToken(c.req.valid("json").refreshToken));
      if (!token) throw unauthorized(c, "The refresh token is invalid.");
      await revokeSessions(deps, token.userId, [token.sessionId], originOf(c));
      return c.body(null, 204);
    });
}

/** For events that record an attempt rather than a change: nothing to check. */
const noChange: ChangeCheck = { collection: collections.sessions, ids: [], expect: "absent" };
