import type { Mail } from "../../stores/notification-store.ts";
import { appLink, renderMail } from "../mail-layout.ts";

export const lockoutSubject = "Failed sign-ins to your Chirp account";

/**
 * The notice to an account's owner that its failed-login throttle tripped: who tried (the client address of the
 * attempt that tripped it) and when, and that the owner is not locked out.
 */
export const lockoutMail = (
  appUrl: string,
  user: { name: string; email: string },
  attempt: { address: string; at: Date },
): Mail =>
  renderMail(user.email, {
    subject: lockoutSubject,
    name: user.name,
    paragraphs: [
      `there were many failed sign-ins to your account with a wrong password, the latest from the address ${attempt.address} at ${attempt.at.toISOString()}.`,
      "Sign-ins from that address are paused for a while; yours from anywhere else still work, though they may be slowed down.",
      "If this was you, wait a few minutes or reset your password. If it was not, your password kept them out: choose a new one if it is short or used elsewhere.",
    ],
    action: { label: "Reset your password", url: appLink(appUrl, "/password/forgot") },
    note: "We send this notice at most once per throttle window, however many attempts are made.",
  });
