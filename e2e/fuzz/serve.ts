/**
 * The target of `scripts/fuzz`: both services as real processes with a registered user. Writes
 * `{auth, post, token}` to the file named by its argument, then serves until SIGTERM and cleans up.
 */
import { createClient } from "../lib/client.ts";
import { startStack } from "../lib/stack.ts";

const out = process.argv[2];
if (!out) throw new Error("usage: bun e2e/fuzz/serve.ts OUT.json");
// Fuzzed logins must not lock each other out for the whole run: a short throttle window.
const stack = await startStack({ authEnv: { LOGIN_FAILURE_WINDOW_SECONDS: "2" } });
const user = await createClient(stack.auth.url).register("Fuzz");
await Bun.write(
  out,
  JSON.stringify({ auth: stack.auth.url.origin, post: stack.post.url.origin, token: user.accessToken }),
);
const stop = async () => {
  await stack[Symbol.asyncDispose]();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
