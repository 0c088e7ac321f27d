/**
 * Real mail: a registration's welcome mail leaves auth over SMTP, lands in the local Mailpit with a plain-text
 * and an HTML part linking under the stack's PUBLIC_APP_URL, and its notification says `sent` once it did.
 */
import { expect, test } from "bun:test";
import { eventually } from "@chirp/platform/testing";
import { createClient } from "../lib/client.ts";
import { mailsTo, waitForMail } from "../lib/mailpit.ts";
import { startStack } from "../lib/stack.ts";

test("register -> the welcome mail arrives in Mailpit, both parts, its link under PUBLIC_APP_URL", async () => {
  await using stack = await startStack();
  const auth = createClient(stack.auth.url);
  const account = await auth.register("Ada <b>Lovelace</b>");

  const mail = await waitForMail(account.email, { subject: "Welcome to Chirp" });
  const link = `${stack.appUrl}/`;
  expect(mail.to).toEqual([account.email]);
  expect(mail.from).toBe("no-reply@chirp.local");
  expect(mail.text).toStartWith("Hi Ada <b>Lovelace</b>,\n");
  expect(mail.text).toContain(`Open Chirp: ${link}\n`);
  // The name is the user's input: markup in it arrives escaped, as text.
  expect(mail.html).toContain("<p>Hi Ada &lt;b&gt;Lovelace&lt;/b&gt;,</p>");
  expect(mail.html).toContain(`<a href="${link}">Open Chirp</a>`);

  const notifications = await eventually(
    async () => {
      const { body } = await auth.get("/api/notifications", account.accessToken);
      return body.items[0]?.status === "sent" && body.items;
    },
    { what: "the welcome notification recorded as sent" },
  );
  expect(notifications).toMatchObject([{ kind: "welcome", to: account.email, status: "sent", attempts: 1 }]);
  // One welcome (the verification mail is the other one a registration sends).
  await waitForMail(account.email, { subject: "Confirm your e-mail address" });
  const subjects = (await mailsTo(account.email)).map((received) => received.subject).sort();
  expect(subjects).toEqual(["Confirm your e-mail address", "Welcome to Chirp"]);
}, 60_000);
