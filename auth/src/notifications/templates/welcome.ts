import type { Mail } from "../../stores/notification-store.ts";
import { appLink, renderMail } from "../mail-layout.ts";

export const welcomeSubject = "Welcome to Chirp";

/** The welcome e-mail of a new account, with a link to the app at `appUrl` (`PUBLIC_APP_URL`). */
export const welcomeMail = (appUrl: string, user: { name: string; email: string }): Mail =>
  renderMail(user.email, {
    subject: welcomeSubject,
    name: user.name,
    paragraphs: ["welcome to Chirp! Your account is ready: sign in with this e-mail address and start posting."],
    action: { label: "Open Chirp", url: appLink(appUrl, "/") },
    note: "If you did not create this account, you can ignore this message.",
  });
