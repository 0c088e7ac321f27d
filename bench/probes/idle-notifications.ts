/**
 * What an idle auth service costs FerretDB once many welcome e-mails have gone out: a fresh stack, N sent
 * notifications written straight into its database (default 20,000; `N=` to change), then FerretDB's CPU
 * over 15 s in which nobody calls anything. The delivery worker scans for due notifications every 5 s; on
 * FerretDB a scan reads its whole collection, so it must read the queue of pending ones, not every
 * notification ever sent. Needs `scripts/infra up`; prints the figure.
 *
 *   bun bench/probes/idle-notifications.ts
 */

import { collections } from "@chirp/auth/testing";
import { MongoClient } from "mongodb";
import { infraPids, measureCpu } from "../lib/cpu.ts";
import { startStack } from "../lib/stack.ts";

const count = Number(process.env.N ?? 20_000);
const { ferretdb } = await infraPids();
if (ferretdb === undefined) throw new Error("no local FerretDB running: scripts/infra up");
const stack = await startStack();
try {
  const client = await MongoClient.connect(stack.env.MONGO_URL ?? "");
  const sentAt = new Date();
  const mail = { to: "someone@example.com", subject: "Welcome", text: "Hello", html: "<p>Hello</p>" };
  for (let start = 0; start < count; start += 1_000) {
    await client
      .db()
      .collection<{ _id: string }>(collections.notifications)
      .insertMany(
        Array.from({ length: Math.min(1_000, count - start) }, (_, i) => ({
          _id: `probe-${start + i}:welcome`,
          userId: `probe-${start + i}`,
          kind: "welcome",
          ...mail,
          status: "sent",
          attempts: 1,
          lastError: null,
          nextAttemptAt: null,
          createdAt: sentAt,
          sentAt,
        })),
      );
  }
  await client.close();
  await Bun.sleep(3_000);
  const [, cpu] = await measureCpu(() => Bun.sleep(15_000), { ferretdb });
  const share = ((cpu.seconds.ferretdb ?? 0) / 15) * 100;
  console.log(`${count} sent notifications, auth idle: FerretDB ${share.toFixed(1)}% of a core`);
} finally {
  await stack.stop();
}
