import type { Logger } from "@chirp/platform/logger";
import type { Transporter } from "nodemailer";
import type { Mail } from "../stores/notification-store.ts";

/** `sent`: an SMTP server accepted the message. `logged`: no SMTP server is configured, it went to the log. */
export type Delivery = "sent" | "logged";

/** Sends one message; throws when it was not accepted (the worker retries later). */
export interface Mailer {
  send(mail: Mail): Promise<Delivery>;
}

export interface MailerSettings {
  /** `smtp://` or `smtps://` URL; without one, messages are composed and written to the log. */
  smtpUrl?: string | undefined;
  from: string;
  logger: Logger;
}

// Every phase of an SMTP exchange is bounded, so an attempt always ends well within a delivery claim's life.
const smtpTimeouts = { connectionTimeout: 10_000, greetingTimeout: 10_000, socketTimeout: 30_000 };

/**
 * A nodemailer mailer: SMTP when configured, else nodemailer's JSON transport into the log. nodemailer is
 * loaded at the first message, not at start: importing it costs ~80 ms and ~20 MiB, and an instance may
 * send nothing for a long time.
 */
export function createMailer({ smtpUrl, from, logger }: MailerSettings): Mailer {
  let transport: Promise<Transporter> | undefined;
  const openTransport = async () => {
    const { default: nodemailer } = await import("nodemailer");
    return smtpUrl
      ? nodemailer.createTransport({ url: smtpUrl, ...smtpTimeouts })
      : nodemailer.createTransport({ jsonTransport: true });
  };
  if (!smtpUrl) logger.warn("SMTP_URL is not set: e-mails are written to the log instead of sent");
  return {
    async send(mail) {
      transport ??= openTransport();
      const info = await (await transport).sendMail({ from, ...mail });
      if (smtpUrl) return "sent";
      logger.info({ mail: JSON.parse(String(info.message)) }, "e-mail written to the log");
      return "logged";
    },
  };
}
