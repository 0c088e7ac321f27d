/**
 * How the suites get an admin: the one place to change when the way to become one changes. Today an
 * `ADMIN_EMAILS` address is admin once registered; when the role needs a verified e-mail, `makeAdmin` verifies
 * it (through the mail in Mailpit) before logging in, and its callers stay as they are.
 */
import { uniqueName } from "@chirp/platform/testing";
import type { Client } from "./client.ts";

/** An admin-to-be: its address goes into the auth service's environment (`adminEnv`) before the stack starts. */
export function adminIdentity() {
  return { name: "Root", email: `${uniqueName("root")}@example.com`, password: "correct horse battery staple" };
}

export type AdminIdentity = ReturnType<typeof adminIdentity>;

/** The auth environment that makes `admin` an admin. */
export const adminEnv = (admin: AdminIdentity) => ({ ADMIN_EMAILS: admin.email });

/** Registers the admin and returns its id and a token that carries the admin role. */
export async function makeAdmin(auth: Client, admin: AdminIdentity) {
  const res = await auth.post("/api/auth/register", admin);
  if (res.status !== 201) throw new Error(`admin register answered ${res.status}: ${JSON.stringify(res.body)}`);
  return { id: res.body.user.id as string, token: res.body.accessToken as string };
}
