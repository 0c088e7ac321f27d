/**
 * How the suites get an admin: the one place to change when the way to become one changes. An `ADMIN_EMAILS`
 * address is admin once verified: `makeAdmin` registers it, follows the link mailed to Mailpit, and logs in
 * again so the token carries the role.
 */
import { uniqueName } from "@chirp/platform/testing";
import type { Client } from "./client.ts";
import { waitForMail } from "./mailpit.ts";

/** An admin-to-be: its address goes into the auth service's environment (`adminEnv`) before the stack starts. */
export function adminIdentity() {
  return { name: "Root", email: `${uniqueName("root")}@example.com`, password: "correct horse battery staple" };
}

export type AdminIdentity = ReturnType<typeof adminIdentity>;

/** The auth environment that makes `admin` an admin. */
export const adminEnv = (admin: AdminIdentity) => ({ ADMIN_EMAILS: admin.email });

/** Registers and verifies the admin, and returns its id and a token that carries the admin role. */
export async function makeAdmin(auth: Client, admin: AdminIdentity) {
  const res = await auth.post("/api/auth/register", admin);
  if (res.status !== 201) throw new Error(`admin register answered ${res.status}: ${JSON.stringify(res.body)}`);
  const mail = await waitForMail(admin.email, { subject: "Confirm your e-mail address" });
  const token = /[?&]token=([\w-]+)/.exec(mail.text)?.[1];
  if (!token) throw new Error(`no verification link in: ${mail.text}`);
  const verified = await auth.post("/api/auth/email/verify", { token });
  if (verified.status !== 200) throw new Error(`verify answered ${verified.status}: ${JSON.stringify(verified.body)}`);
  const login = await auth.post("/api/auth/login", { email: admin.email, password: admin.password });
  if (login.body.user?.role !== "admin") throw new Error(`not admin after verifying: ${JSON.stringify(login.body)}`);
  return { id: res.body.user.id as string, token: login.body.accessToken as string };
}
