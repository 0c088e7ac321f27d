import type { Mail } from "../stores/notification-store.ts";

const htmlEscapes: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Escapes text for HTML element content and quoted attributes. */
export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => htmlEscapes[char] ?? char);

/**
 * A link into the app the user acts in, under `PUBLIC_APP_URL` (its own path kept, so the app may live under
 * one). Query values are encoded here, so a token can never break out of its parameter.
 */
export function appLink(appUrl: string, path: string, query: Record<string, string> = {}) {
  const url = new URL(appUrl);
  url.pathname = `${url.pathname.replace(/\/+$/, "")}/${path.replace(/^\/+/, "")}`;
  url.search = new URLSearchParams(query).toString();
  url.hash = "";
  return url.href;
}

/** What a template says; `renderMail` lays it out the same way in every mail. */
export interface MailContent {
  subject: string;
  /** The user's name (their own input: escaped in the HTML part). */
  name: string;
  paragraphs: string[];
  /** The one thing the mail asks the user to do, as a link (a button in HTML, the bare URL in text). */
  action?: { label: string; url: string };
  /** Shown after the action, smaller: e.g. what to do if the mail was not expected. */
  note?: string;
}

/**
 * Renders a mail in plain text and HTML from the same content. Every piece of text is escaped in the HTML
 * part, so a name like `<img src=x onerror=...>` arrives as text, not markup.
 */
export function renderMail(to: string, { subject, name, paragraphs, action, note }: MailContent): Mail {
  const text = [
    `Hi ${name},`,
    ...paragraphs,
    ...(action ? [`${action.label}: ${action.url}`] : []),
    ...(note ? [note] : []),
    "The Chirp team",
  ].join("\n\n");
  const html = `<!doctype html>
<html lang="en">
  <body style="font-family: sans-serif; line-height: 1.5">
    <p>Hi ${escapeHtml(name)},</p>
${[
  ...paragraphs.map((paragraph) => `    <p>${escapeHtml(paragraph)}</p>`),
  ...(action ? [`    <p><a href="${escapeHtml(action.url)}">${escapeHtml(action.label)}</a></p>`] : []),
  ...(note ? [`    <p style="color: #666">${escapeHtml(note)}</p>`] : []),
].join("\n")}
    <p>The Chirp team</p>
  </body>
</html>
`;
  return { to, subject, text: `${text}\n`, html };
}
