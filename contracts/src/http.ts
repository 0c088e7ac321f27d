import { z } from "zod";
import { Id } from "./ids.ts";

/** The roles a token can carry. Admins are named by the auth service's configuration. */
export const Role = z.enum(["user", "admin"]);
export type Role = z.infer<typeof Role>;

/**
 * The claims of an access token (a JWT signed by auth with EdDSA, `kid` in its header). Verifiers also
 * check `iss`, `aud` and `exp` and allow-list the algorithm.
 */
export const AccessTokenClaims = z.object({
  iss: z.string(),
  aud: z.union([z.string(), z.array(z.string())]),
  /** The user id. */
  sub: Id,
  /** The session the token belongs to; revoking the session revokes the token. */
  sid: Id,
  jti: z.string().min(1),
  iat: z.number().int(),
  exp: z.number().int(),
  role: Role,
  /**
   * Whether the user had proved their e-mail address when the token was issued. Optional: tokens issued
   * before the claim existed stay valid until they expire.
   */
  emailVerified: z.boolean().optional(),
  /** How the session was authenticated (RFC 8176): `pwd`, and `otp` after a TOTP or recovery code. */
  amr: z.array(z.string()).optional(),
});
export type AccessTokenClaims = z.infer<typeof AccessTokenClaims>;

/** The longest access-token lifetime auth can be configured to issue (`ACCESS_TOKEN_TTL_SECONDS`). */
export const maxAccessTokenLifetimeSeconds = 3600;

/**
 * The check every verifier applies to `iat` besides `exp`: the token was issued in the past (within a minute
 * of clock skew between the issuer's clock and the verifier's) and at most the longest lifetime ago. Without it
 * a token minted with an `iat` ten years ahead was accepted. `exp` keeps no such leeway.
 */
export function issuedInThePast(iat: number, nowSeconds = Math.floor(Date.now() / 1000)) {
  const skew = 60;
  return iat <= nowSeconds + skew && nowSeconds - iat <= maxAccessTokenLifetimeSeconds + skew;
}

/**
 * What user-written text may hold, as patterns both services apply at the edge (400 otherwise). Single-line
 * text (a name, a title) has no control characters at all (C0, DEL, C1); multi-line text (a bio, a post's
 * content) may also hold tab, line feed and carriage return. A NUL passed on would be refused by PostgreSQL
 * in the post service's projection and stall the user's events; the rest has no place in a name or a title.
 * Character ranges rather than `\p{Cc}`, so the OpenAPI `pattern` works in every JSON Schema validator.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
export const singleLineText = /^[^\u0000-\u001f\u007f-\u009f]*$/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
export const multiLineText = /^[^\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]*$/;

/** A user as anyone may see them. */
export const PublicUser = z.object({
  id: Id,
  name: z.string(),
  bio: z.string(),
  createdAt: z.iso.datetime({ offset: true }),
  postCount: z.number().int().nonnegative(),
});
export type PublicUser = z.infer<typeof PublicUser>;

/** `POST /api/users/batch`: service-to-service lookup of up to 100 users; unknown ids are left out. */
export const UserBatchRequest = z.object({ ids: z.array(Id).min(1).max(100) });
export const UserBatchResponse = z.object({ users: z.array(PublicUser) });
