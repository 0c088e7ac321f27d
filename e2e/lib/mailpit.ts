/**
 * Mails as the SMTP catcher received them, read through Mailpit's HTTP API (the server `scripts/infra up`
 * runs; MAILPIT_URL names another). The stack's services send their mail to it (stack.ts sets SMTP_URL).
 */
import { eventually } from "@chirp/platform/testing";

export const mailpitUrl = new URL(
  process.env.MAILPIT_URL ?? `http://127.0.0.1:${process.env.MAILPIT_HTTP_PORT ?? 8025}`,
);
/** Where the services send mail so that it lands in that Mailpit. */
export const mailpitSmtpUrl = `smtp://127.0.0.1:${process.env.MAILPIT_SMTP_PORT ?? 1025}`;

interface Address {
  Name: string;
  Address: string;
}

/** One received mail, both parts decoded. */
export interface ReceivedMail {
  id: string;
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
}

async function api<T>(path: string): Promise<T> {
  const res = await fetch(new URL(path, mailpitUrl), { signal: AbortSignal.timeout(5_000) });
  if (!res.ok) throw new Error(`Mailpit answered ${res.status} to GET ${path}: ${await res.text()}`);
  return (await res.json()) as T;
}

/** Summaries of the mails to `address`, newest first (Mailpit's search matches parts of addresses: filtered). */
async function summariesTo(address: string) {
  const query = new URLSearchParams({ query: `to:"${address}"`, limit: "50" });
  const found = await api<{ messages: { ID: string; To: Address[] }[] }>(`/api/v1/search?${query}`);
  return found.messages.filter((message) =>
    message.To.some((to) => to.Address.toLowerCase() === address.toLowerCase()),
  );
}

export async function readMail(id: string): Promise<ReceivedMail> {
  const message = await api<{ ID: string; From: Address; To: Address[]; Subject: string; Text: string; HTML: string }>(
    `/api/v1/message/${encodeURIComponent(id)}`,
  );
  return {
    id: message.ID,
    from: message.From.Address,
    to: message.To.map((to) => to.Address),
    subject: message.Subject,
    // SMTP carries CRLF line ends; the templates (and the tests' expectations) use LF.
    text: message.Text.replaceAll("\r\n", "\n"),
    html: message.HTML.replaceAll("\r\n", "\n"),
  };
}

/** Every mail to `address` received so far, oldest first. */
export async function mailsTo(address: string): Promise<ReceivedMail[]> {
  const summaries = await summariesTo(address);
  return Promise.all(summaries.toReversed().map((summary) => readMail(summary.ID)));
}

/**
 * The first mail to `address` (with `subject`, if given), polling until it arrives or the deadline passes.
 * A failure names what was there instead, so a wrong subject does not read as "nothing arrived".
 */
export async function waitForMail(
  address: string,
  { subject, timeoutMs = 15_000 }: { subject?: string; timeoutMs?: number } = {},
): Promise<ReceivedMail> {
  const what = `a mail to ${address}${subject ? ` with subject "${subject}"` : ""} in Mailpit (${mailpitUrl.origin})`;
  try {
    return await eventually(
      async () => (await mailsTo(address)).find((mail) => subject === undefined || mail.subject === subject),
      { timeoutMs, intervalMs: 100, what },
    );
  } catch (error) {
    const seen = await mailsTo(address).catch(() => []);
    throw new Error(`${(error as Error).message}; mails to it: ${JSON.stringify(seen.map((mail) => mail.subject))}`);
  }
}
