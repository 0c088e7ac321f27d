import { SMTPServer } from "smtp-server";

/** A message as a real SMTP listener received it. */
export interface ReceivedMail {
  to: string[];
  subject: string;
  raw: string;
}

/**
 * A real SMTP server on a local TCP port (0 picks one), for tests. It can be stopped and started again on
 * the same port, to play an outage of the mail relay.
 */
export async function startSmtpListener(port = 0) {
  const received: ReceivedMail[] = [];
  let server: SMTPServer | undefined;
  let boundPort = port;

  async function start() {
    server = new SMTPServer({
      authOptional: true,
      // Plain SMTP on loopback: no certificate for the client to distrust.
      disabledCommands: ["STARTTLS", "AUTH"],
      logger: false,
      onData(stream, session, callback) {
        const chunks: Buffer[] = [];
        stream.on("data", (chunk: Buffer) => chunks.push(chunk));
        stream.on("end", () => {
          const raw = Buffer.concat(chunks).toString();
          const subject = /^Subject: (.*)$/m.exec(raw)?.[1]?.trim() ?? "";
          received.push({ to: session.envelope.rcptTo.map((rcpt) => rcpt.address), subject, raw });
          callback();
        });
      },
    });
    const listening = server;
    await new Promise<void>((resolve, reject) => {
      listening.server.once("error", reject);
      listening.listen(boundPort, "127.0.0.1", () => resolve());
    });
    boundPort = (listening.server.address() as { port: number }).port;
  }

  async function stop() {
    const closing = server;
    server = undefined;
    if (closing) await new Promise<void>((resolve) => closing.close(() => resolve()));
  }

  await start();
  return {
    received,
    get url() {
      return `smtp://127.0.0.1:${boundPort}`;
    },
    /** Messages to one recipient. */
    to: (address: string) => received.filter((mail) => mail.to.includes(address)),
    start,
    stop,
    [Symbol.asyncDispose]: stop,
  };
}
