/**
 * The target of `scripts/fuzz`: both services as real processes, with one registered account per fuzz run
 * (an operation that ends its session, such as deleting the account, must not leave the other runs with a
 * dead token). Writes `{auth, post, tokens: {main, post}, enders: {<operation>: token}}` to the file named by its
 * argument, then serves until SIGTERM and cleans up.
 */
import { adminEnv, adminIdentity, makeAdmin } from "../lib/admin.ts";
import { createClient } from "../lib/client.ts";
import { startStack } from "../lib/stack.ts";

const out = process.argv[2];
if (!out) throw new Error("usage: bun e2e/fuzz/serve.ts OUT.json");
// The main account is an admin, so that the statistics are fuzzed past their role check.
const identity = adminIdentity();
const stack = await startStack({
  // Fuzzed logins must not lock each other out for the whole run: a short throttle window.
  authEnv: { LOGIN_FAILURE_WINDOW_SECONDS: "2", ...adminEnv(identity) },
});
const auth = createClient(stack.auth.url);
const tokens: Record<string, string> = {
  main: (await makeAdmin(auth, identity)).token,
  post: (await auth.register("Poster")).accessToken,
};
// The operations that revoke the caller's own sessions (scripts/fuzz runs each on its own).
const enders: Record<string, string> = {};
for (const operation of ["DELETE /api/users/me", "DELETE /api/auth/sessions", "POST /api/users/me/password"]) {
  enders[operation] = (await auth.register("Ender")).accessToken;
}
await Bun.write(out, JSON.stringify({ auth: stack.auth.url.origin, post: stack.post.url.origin, tokens, enders }));
const stop = async () => {
  await stack[Symbol.asyncDispose]();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
