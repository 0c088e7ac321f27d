import { createEvent, UserLoginFailed, UserRegistered } from "@chirp/contracts";
import { unauthorized } from "@chirp/platform/auth/bearer";
import { validationHook } from "@chirp/platform/http";
import { jsonBody, noSecurity, problems } from "@chirp/platform/openapi";
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { checkSecondFactor } from "../accounts/mfa.ts";
import { issueOneTimeToken, redeemOneTimeToken } from "../accounts/one-time-tokens.ts";
import { openSession, revokeSessions, roleOf, tokenPair } from "../accounts/sessions.ts";
import { claimAddressAttempt, claimLoginAttempt } from "../accounts/throttle.ts";
import type { AuthDeps, RouteEnv } from "../deps.ts";
import { RetryLaterError } from "../errors.ts";
import { newId } from "../ids.ts";
import type { AuthMetrics } from "../metrics.ts";
import { addressTakenMail } from "../notifications/templates/account.ts";
import { OverloadedError } from "../passwords/limiter.ts";
import type { UserRecord } from "../stores/user-store.ts";
import { hashRefreshToken, newRefreshToken } from "../tokens/refresh-tokens.ts";
import { refuseBanned, revokeIfBanned } from "./banned.ts";
import { mailVerificationLink } from "./email.ts";

import { originOf } from "./origin.ts";
import { Authenticated, LoginBody, LoginMfaBody, MfaChallenge, RefreshBody, RegisterBody } from "./schemas.ts";
import { ownView } from "./views.ts";

const register = createRoute({
  method: "post",
  path: "/register",
  operationId: "register",
  tags: ["auth"],
  security: noSecurity,
  summary: "Create an account and open a session",
  request: { body: jsonBody(RegisterBody) },
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
  operationId: "login",
  tags: ["auth"],
  security: noSecurity,
  summary: "Open a session with an e-mail and password",
  request: { body: jsonBody(LoginBody) },
  responses: {
    200: {
      description: "The user and new tokens; with MFA on, a challenge for `/login/mfa` instead",
      content: { "application/json": { schema: z.union([Authenticated, MfaChallenge]) } },
    },
    ...problems(400, 401, 403, 413, 429, 503),
  },
});

const loginMfa = createRoute({
  method: "post",
  path: "/login/mfa",
  operationId: "loginMfa",
  tags: ["auth"],
  security: noSecurity,
  summary: "The second step of a login with MFA on: the challenge's token and a TOTP or recovery code",
  request: { body: jsonBody(LoginMfaBody) },
  responses: {
    200: {
      description: "The user and new tokens (`amr`: pwd, otp)",
      content: { "application/json": { schema: Authenticated } },
    },
    ...problems(400, 401, 403, 413, 429, 503),
  },
});

const refresh = createRoute({
  method: "post",
  path: "/refresh",
  operationId: "refresh",
  tags: ["auth"],
  security: noSecurity,
  summary: "Trade a refresh token for a new pair; a reused token revokes its session",
  request: { body: jsonBody(RefreshBody) },
  responses: {
    200: {
      description: "A new token pair, with the user as login answers it",
      content: { "application/json": { schema: Authenticated } },
    },
    ...problems(400, 401, 403, 413, 503),
  },
});

const logout = createRoute({
  method: "post",
  path: "/logout",
  operationId: "logout",
  tags: ["auth"],
  security: noSecurity,
  summary: "Revoke the session of a refresh token",
  request: { body: jsonBody(RefreshBody) },
  responses: { 204: { description: "The session is revoked" }, ...problems(400, 401, 413, 503) },
});

/** `/api/auth`: registration, login and the refresh-token lifecycle; login outcomes are counted in `metrics`. */
export function authRoutes(deps: AuthDeps, metrics: AuthMetrics) {
  const refreshTtl = () => new Date(Date.now() + deps.settings.refreshTokenTtlMs);
  /** Opens the session of a login that passed every check: the user and the token pair. */
  const signIn = async (c: Context<RouteEnv>, user: UserRecord, amr: string[]) => {
    const tokens = await openSession(deps, user, originOf(c), c.req.header("user-agent") ?? null, amr);
    await revokeIfBanned(deps, user.id, originOf(c));
    const postCount = (await deps.users.postCounts([user.id])).get(user.id) ?? 0;
    metrics.login("success");
    return { user: ownView(user, postCount, roleOf(deps, user)), ...tokens };
  };
  return new OpenAPIHono<RouteEnv>({ defaultHook: validationHook })
    .openapi(register, async (c) => {
      // As for logins: overload is refused before any work, and the throttle before a hashing slot is taken.
      if (deps.hasher.saturated()) throw deps.hasher.refusal();
      const address = deps.clientAddress(c.req.raw);
      await claimAddressAttempt(deps.addressAttempts, deps.settings.registerLimit, { action: "register", address });
      return deps.hasher.admit(async () => {
        const { name, email, password } = c.req.valid("json");
        // The route table's 409 stays (a 201 carries tokens, which an existing address cannot get), but it tells
        // no more than that: the same work first (a lookup and a hash, as for a new account), and the owner is
        // told by mail that someone tried.
        const existing = await deps.users.findByEmail(email);
        const passwordHash = await deps.hasher.hash(password);
        const taken = async (owner: UserRecord | null) => {
          if (owner) await deps.mail.queue(owner.id, "address-taken", addressTakenMail(deps.settings.appUrl, owner));
          return new HTTPException(409, { message: "An account with this e-mail exists already." });
        };
        // The unique index still decides a race between two registrations.
        if (existing) throw await taken(existing);
        const now = new Date();
        const user = {
          id: newId(),
          email,
          name,
          bio: "",
          createdAt: now,
          updatedAt: now,
          emailVerified: false,
          mfaEnabled: false,
        };
        const event = createEvent(UserRegistered, { userId: user.id, name, email }, originOf(c));
        if (!(await deps.users.register(user, passwordHash, event)))
          throw await taken(await deps.users.findByEmail(email));
        await mailVerificationLink(deps, user);
        const tokens = await openSession(deps, user, originOf(c), c.req.header("user-agent") ?? null);
        return c.json({ user: ownView(user, 0, roleOf(deps, user)), ...tokens }, 201);
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
      const { wait, delayMs } = await claimLoginAttempt(deps, attempt);
      if (wait > 0) {
        const event = createEvent(UserLoginFailed, { email, reason: "throttled" }, originOf(c));
        await deps.loginFailures.announce(event);
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
            await deps.loginFailures.announce(event, attempt.id);
            metrics.login(reason);
            throw new HTTPException(401, { message: "The e-mail or password is wrong." });
          }
          await refuseBanned(deps, user.id);
          // Told only to whoever knows the password: it reveals nothing a guesser could use.
          if (deps.settings.emailVerification === "required" && !user.emailVerified) {
            throw new HTTPException(403, {
              message: "Verify your e-mail address first: follow the link mailed to it (or reset your password).",
            });
          }
          if (user.mfaEnabled) {
            // The attempt stays counted until the second factor is proven: every guess at a code costs one.
            const mfaToken = await issueOneTimeToken(deps.oneTimeTokens, { userId: user.id, email }, "mfa-login");
            metrics.login("mfa_required");
            return c.json({ mfaRequired: true as const, mfaToken }, 200);
          }
          // Forgives the account's failures from this address, this attempt's fact among them.
          await deps.loginFailures.forget({ email, address });
          return c.json(await signIn(c, user, ["pwd"]), 200);
        })
        .catch(withdraw);
    })
    .openapi(loginMfa, async (c) => {
      const { mfaToken, ...proof } = c.req.valid("json");
      // Single use: a wrong code spends the challenge too, so each guess costs a password check first.
      const challenge = await redeemOneTimeToken(deps.oneTimeTokens, mfaToken, "mfa-login");
      const user = challenge && (await deps.users.findById(challenge.userId));
      if (!user) throw unauthorized(c, "The MFA step is invalid, expired or used: log in again.");
      const address = deps.clientAddress(c.req.raw);
      // Codes are throttled as passwords are: a wrong one counts as a failed login of the account.
      const { wait } = await claimLoginAttempt(deps, { id: newId(), email: user.email, address, at: new Date() });
      if (wait > 0) throw new RetryLaterError(429, wait, "Too many failed logins; try again later.");
      if (!(await checkSecondFactor(deps, user.id, proof))) {
        throw unauthorized(c, "The code is wrong or used already: log in again.");
      }
      await deps.loginFailures.forget({ email: user.email, address });
      await refuseBanned(deps, user.id);
      return c.json(await signIn(c, user, ["pwd", "otp"]), 200);
    })
    .openapi(refresh, async (c) => {
      const hash = hashRefreshToken(c.req.valid("json").refreshToken);
      const token = await deps.sessions.findRefresh(hash);
      const session = token && token.expiresAt.getTime() > Date.now() && (await deps.sessions.find(token.sessionId));
      if (!token || !session) throw unauthorized(c, "The refresh token is invalid or expired.");
      await refuseBanned(deps, session.userId);
      if (!(await deps.sessions.spend(hash, token))) {
        // Spent already: a replay of a stolen token or a lost race. Either way the session is compromised.
        await revokeSessions(deps, session.userId, [session.id], originOf(c));
        throw unauthorized(c, "The refresh token was used already; its session is revoked.");
      }
      const user = await deps.users.findById(session.userId);
      if (!user) throw unauthorized(c, "The account no longer exists.");
      const next = newRefreshToken();
      await deps.sessions.renew(session, hashRefreshToken(next), refreshTtl());
      // One user shape: the same `user` as register, login and /me carry.
      const postCount = (await deps.users.postCounts([user.id])).get(user.id) ?? 0;
      const tokens = await tokenPair(deps, user, session, next);
      return c.json({ user: ownView(user, postCount, roleOf(deps, user)), ...tokens }, 200);
    })
    .openapi(logout, async (c) => {
      const token = await deps.sessions.findRefresh(hashRefreshToken(c.req.valid("json").refreshToken));
      if (!token) throw unauthorized(c, "The refresh token is invalid.");
      await revokeSessions(deps, token.userId, [token.sessionId], originOf(c));
      return c.body(null, 204);
    });
}

/** For events that record an attempt rather than a change: nothing to check. */
