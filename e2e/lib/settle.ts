/** Waits until the system is quiet: outboxes empty and each consumer group at the end of its topics. */
import { PostEvents, SessionEvents, UserEvents } from "@chirp/contracts";
import { eventually } from "@chirp/platform/testing";
import { countRows } from "./checks.ts";
import type { Stack } from "./stack.ts";
import type { Topics } from "./topics.ts";

export const consumedBy = {
  post: [UserEvents, SessionEvents],
  auth: [UserEvents, SessionEvents, PostEvents],
} as const;

export async function settled(stack: Stack, topics: Topics, { authConsumes = true, timeoutMs = 60_000 } = {}) {
  await eventually(
    async () => {
      if ((await countRows(stack.postDb, "outbox")) > 0) return false;
      if ((await stack.authDb.collection("outbox").countDocuments()) > 0) return false;
      const groups = authConsumes ? (["post", "auth"] as const) : (["post"] as const);
      for (const group of groups) {
        for (const topic of consumedBy[group]) {
          const { committed, size } = await topics.committed(stack.groups[group], topics.name(topic));
          if (committed !== size) return false;
        }
      }
      return true;
    },
    { timeoutMs, intervalMs: 100, what: "outboxes empty and consumer groups at the end of their topics" },
  );
}
