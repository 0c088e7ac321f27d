import type { Mail } from "../stores/notification-store.ts";

const htmlEscapes: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Escapes text for HTML element content and quoted attributes. */
export const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => htmlEscapes[char] ?? char);

export const welcomeSubject = "Welcome to Chirp";

/**
 * The welcome e-mail, in plain text and HTML. The name is the user's own input, so the HTML escapes it:
 * a name like `<img src=x onerror=...>` must arrive as text, not markup.
 */
export function welcomeMail(user: { name: string; email: string }): Mail {
  const text = [
    `Hi ${user.name},`,
    "",
    "welcome to Chirp! Your account is ready: sign in with this e-mail address and start posting.",
    "",
    "If you did not create this account, you can ignore this message.",
    "",
    "The Chirp team",
  ].join("\n");
  const name = escapeHtml(user.name);
  const html = `<!doctype html>
<html lang="en">
  <body style="font-family: sans-serif; line-height: 1.5">
    <p>Hi ${name},</p>
    <p>welcome to <strong>Chirp</strong>! Your account is ready: sign in with this e-mail address and start posting.</p>
    <p style="color: #666">If you did not create this account, you can ignore this message.</p>
    <p>The Chirp team</p>
  </body>
</html>
`;
  return { to: user.email, subject: welcomeSubject, text, html };
}
