import { describe, expect, test } from "bun:test";
import { createLogger } from "@chirp/platform/logger";
import { startSmtpListener } from "../testing/smtp-listener.ts";
import { createMailer } from "./mailer.ts";
import { welcomeMail } from "./templates/welcome.ts";

const logger = createLogger("mailer-test", "silent");
const mail = welcomeMail("https://chirp.example", { name: "Ada", email: "ada@example.com" });

describe("createMailer", () => {
  test("reports `sent` once an SMTP server accepted the message, with its plain-text and HTML parts", async () => {
    await using smtp = await startSmtpListener();
    const mailer = createMailer({ smtpUrl: smtp.url, from: "Chirp <no-reply@chirp.test>", logger });
    expect(await mailer.send(mail)).toBe("sent");
    const [received] = smtp.to("ada@example.com");
    expect(received?.subject).toBe("Welcome to Chirp");
    expect(received?.raw).toMatch(/^Content-Type: multipart\/alternative/m);
    expect(received?.raw).toMatch(/^Content-Type: text\/plain/m);
    expect(received?.raw).toMatch(/^Content-Type: text\/html/m);
  });

  test("throws, rather than report anything, when the SMTP server does not take the message", async () => {
    const smtp = await startSmtpListener();
    await smtp.stop();
    const mailer = createMailer({ smtpUrl: smtp.url, from: "Chirp <no-reply@chirp.test>", logger });
    await expect(mailer.send(mail)).rejects.toThrow(/ECONNREFUSED|connect/i);
  });

  test("reports `logged`, never `sent`, with no SMTP server configured", async () => {
    const mailer = createMailer({ from: "Chirp <no-reply@chirp.test>", logger });
    expect(await mailer.send(mail)).toBe("logged");
  });
});
