import type { Mail } from "../../stores/notification-store.ts";
import { appLink, renderMail } from "../mail-layout.ts";

/** The mails of the account lifecycle. Links carry their one-time token in the query, under `PUBLIC_APP_URL`. */
export const accountSubjects = {
  verify: "Confirm your e-mail address",
  addressTaken: "Someone tried to sign up with your address",
  reset: "Reset your Chirp password",
  passwordReset: "Your Chirp password was reset",
  change: "Confirm your new e-mail address",
  changeRequested: "Your Chirp e-mail address is being changed",
} as const;

type To = { name: string; email: string };
const ignore = "If you did not ask for this, you can ignore this message.";

export const verifyEmailMail = (appUrl: string, to: To, token: string): Mail =>
  renderMail(to.email, {
    subject: accountSubjects.verify,
    name: to.name,
    paragraphs: ["please confirm that this address is yours. The link works once, for 24 hours."],
    action: { label: "Confirm my address", url: appLink(appUrl, "/verify-email", { token }) },
    note: ignore,
  });

export const addressTakenMail = (appUrl: string, to: To): Mail =>
  renderMail(to.email, {
    subject: accountSubjects.addressTaken,
    name: to.name,
    paragraphs: [
      "someone tried to create a Chirp account with this address, which already has one. Nothing was changed.",
    ],
    action: { label: "Forgot your password? Reset it", url: appLink(appUrl, "/forgot-password") },
    note: "If it was not you, you can ignore this message.",
  });

export const resetPasswordMail = (appUrl: string, to: To, token: string): Mail =>
  renderMail(to.email, {
    subject: accountSubjects.reset,
    name: to.name,
    paragraphs: ["a password reset was asked for your account. The link works once, for 30 minutes."],
    action: { label: "Choose a new password", url: appLink(appUrl, "/reset-password", { token }) },
    note: `${ignore} Your password stays as it is.`,
  });

export const passwordResetNoticeMail = (appUrl: string, to: To): Mail =>
  renderMail(to.email, {
    subject: accountSubjects.passwordReset,
    name: to.name,
    paragraphs: ["your password was just reset, and every session of your account was signed out."],
    action: { label: "Sign in", url: appLink(appUrl, "/login") },
    note: "If it was not you, reset your password again at once and check your account's e-mail address.",
  });

export const changeEmailMail = (appUrl: string, to: To, token: string): Mail =>
  renderMail(to.email, {
    subject: accountSubjects.change,
    name: to.name,
    paragraphs: ["please confirm that your Chirp account should use this address. The link works once, for 24 hours."],
    action: { label: "Use this address", url: appLink(appUrl, "/confirm-email-change", { token }) },
    note: ignore,
  });

export const changeRequestedMail = (appUrl: string, to: To, newEmail: string): Mail =>
  renderMail(to.email, {
    subject: accountSubjects.changeRequested,
    name: to.name,
    paragraphs: [
      `a change of your account's e-mail address to ${newEmail} was asked for. It applies once the link sent there is used.`,
    ],
    action: { label: "Secure my account", url: appLink(appUrl, "/forgot-password") },
    note: "If it was not you, reset your password: the change then never applies.",
  });
