import { Id, multiLineText, PublicUser, Role, singleLineText } from "@chirp/contracts";
import { z } from "@hono/zod-openapi";
import { Password } from "../passwords/policy.ts";

/** Trimmed and lower-cased before it is checked, so the unique index sees one form per address. */
export const Email = z.string().trim().toLowerCase().pipe(z.email().max(320)).openapi({ example: "ada@example.com" });
const Name = z
  .string()
  .trim()
  .min(1)
  .max(100)
  .regex(singleLineText, "must not contain control characters")
  .openapi({ example: "Ada Lovelace" });
const Bio = z.string().max(500).regex(multiLineText, "must not contain control characters other than tab and newline");

export const RegisterBody = z.object({ name: Name, email: Email, password: Password }).openapi("RegisterRequest");
export const LoginBody = z.object({ email: Email, password: z.string().min(1).max(128) }).openapi("LoginRequest");
export const RefreshBody = z.object({ refreshToken: z.string().min(1).max(200) }).openapi("RefreshRequest");
export const UpdateProfileBody = z.object({ name: Name.optional(), bio: Bio.optional() }).openapi("ProfileUpdate");
export const ChangePasswordBody = z
  .object({ currentPassword: z.string().min(1).max(128), newPassword: Password })
  .openapi("PasswordChange");
/** A one-time token from a mailed link (43 base64url characters: 256 bits). */
const OneTimeToken = z.string().min(1).max(200);
export const TokenBody = z.object({ token: OneTimeToken }).openapi("OneTimeToken");
export const ForgotPasswordBody = z.object({ email: Email }).openapi("PasswordForgotten");
export const ResetPasswordBody = z.object({ token: OneTimeToken, newPassword: Password }).openapi("PasswordReset");
export const ChangeEmailBody = z
  .object({ newEmail: Email, password: z.string().min(1).max(128) })
  .openapi("EmailChange");
/** The body of every 202: the same whatever happened, so it tells nothing about the account. */
export const Accepted = z.object({ status: z.literal("accepted"), detail: z.string() }).openapi("Accepted");
export const DeleteAccountBody = z.object({ password: z.string().min(1).max(128) }).openapi("AccountDeletion");
export const IdParam = z.object({ id: Id });

// Contract schemas are built before zod-openapi extends zod, so they are wrapped here to be named.
/** The caller's own account. */
export const Me = z
  .object({
    ...PublicUser.shape,
    email: z.string(),
    /** Whether the owner proved the address (the link mailed on register, or an e-mail change's link). */
    emailVerified: z.boolean(),
    /** `admin` only for a verified address listed in ADMIN_EMAILS. */
    role: z.enum(Role.options),
    /** Whether login asks for a TOTP code (or a recovery code) after the password. */
    mfaEnabled: z.boolean(),
  })
  .openapi("Me");
export const PublicProfile = z.object(PublicUser.shape).openapi("PublicUser");

export const TokenPair = z
  .object({
    accessToken: z.string(),
    refreshToken: z.string(),
    tokenType: z.literal("Bearer"),
    /** Seconds until the access token expires. */
    expiresIn: z.number().int(),
  })
  .openapi("TokenPair");
export const Authenticated = TokenPair.extend({ user: Me }).openapi("Authenticated");

export const SessionView = z
  .object({
    id: Id,
    createdAt: z.iso.datetime({ offset: true }),
    lastUsedAt: z.iso.datetime({ offset: true }),
    userAgent: z.string().nullable(),
    /** True for the session of the token making the request. */
    current: z.boolean(),
  })
  .openapi("Session");

/** A 6-digit TOTP code from the authenticator app. */
const TotpCode = z
  .string()
  .regex(/^\d{6}$/, "must be 6 digits")
  .openapi({ example: "123456" });
const CurrentPassword = z.string().min(1).max(128);
export const MfaSetupBody = z.object({ password: CurrentPassword }).openapi("TotpSetupRequest");
export const MfaSetup = z
  .object({
    /** Base32, for apps that take the key typed in. */
    secret: z.string(),
    /** `otpauth://totp/...`, the QR code's content. */
    otpauthUrl: z.string(),
  })
  .openapi("TotpSetup");
export const MfaEnableBody = z.object({ code: TotpCode }).openapi("TotpEnableRequest");
export const RecoveryCodes = z
  .object({ recoveryCodes: z.array(z.string()).length(10).openapi({ description: "Each works once; shown only now" }) })
  .openapi("RecoveryCodes");
export const MfaDisableBody = z.object({ password: CurrentPassword, code: TotpCode }).openapi("TotpDisableRequest");
/** The second step of a login: the challenge's token and one of a TOTP code or a recovery code. */
export const LoginMfaBody = z
  .object({
    mfaToken: OneTimeToken,
    code: TotpCode.optional(),
    recoveryCode: z.string().min(1).max(40).optional(),
  })
  .refine((body) => (body.code === undefined) !== (body.recoveryCode === undefined), {
    message: "give either code or recoveryCode",
  })
  .openapi("LoginMfaRequest");
/** What login answers instead of tokens when MFA is on: the password was right, a second factor is due. */
export const MfaChallenge = z.object({ mfaRequired: z.literal(true), mfaToken: z.string() }).openapi("MfaChallenge");
