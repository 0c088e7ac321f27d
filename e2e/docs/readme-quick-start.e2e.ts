/**
 * The README's quick start, run as a reader pastes it: its `sh` block, unchanged, by bash with nothing but
 * curl and sed on the PATH, against both services (their addresses through AUTH_API and POST_API, which the
 * block defaults to :3001 and :3002). Twice: the second run finds the e-mail taken (409) and still logs in.
 */
import { afterAll, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { mkdtemp, rm, symlink } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { eventually } from "@chirp/platform/testing";
import { startStack } from "../lib/stack.ts";

const readme = readFileSync(new URL("../../README.md", import.meta.url), "utf8");
const quickStart = /^## Quick start\n[\s\S]*?^```sh\n([\s\S]*?)^```$/m.exec(readme)?.[1];

// A PATH with only the tools the README says the quick start needs.
const tools = await mkdtemp(join(tmpdir(), "quick-start-path-"));
afterAll(() => rm(tools, { recursive: true, force: true }));
for (const tool of ["curl", "sed"]) {
  const path = Bun.which(tool);
  if (!path) throw new Error(`${tool} is not installed`);
  await symlink(path, join(tools, tool));
}

async function paste(script: string, env: Record<string, string>) {
  const bash = Bun.which("bash") ?? "/bin/bash";
  const proc = Bun.spawn([bash, "-c", script], { env: { PATH: tools, ...env }, stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([
    new Response(proc.stdout).text(),
    new Response(proc.stderr).text(),
    proc.exited,
  ]);
  // One JSON answer per line: register, create a post, the page, the caller.
  return {
    code,
    stderr,
    answers: stdout
      .trimEnd()
      .split("\n")
      .map((line) => JSON.parse(line)),
  };
}

test("the README's quick start runs as pasted: registers, logs in into $TOKEN, posts, reads it back", async () => {
  if (quickStart === undefined) throw new Error("README.md has no ```sh block under '## Quick start'");
  await using stack = await startStack();
  const env = { AUTH_API: stack.auth.url.origin, POST_API: stack.post.url.origin };

  const first = await paste(quickStart, env);
  expect({ code: first.code, stderr: first.stderr, count: first.answers.length }).toEqual({
    code: 0,
    stderr: "",
    count: 4,
  });
  const [registered, created, page, me] = first.answers;
  expect(registered.user).toMatchObject({ name: "Ada", email: "ada@example.com" });
  const ada = { id: registered.user.id, name: "Ada" };
  expect(created).toMatchObject({ title: "Hello", content: "First post", author: ada });
  expect(page.items).toEqual([created]);
  expect(me).toMatchObject({ id: ada.id, email: "ada@example.com" });

  const second = await paste(quickStart, env);
  expect({ code: second.code, stderr: second.stderr, count: second.answers.length }).toEqual({
    code: 0,
    stderr: "",
    count: 4,
  });
  expect(second.answers[0]).toMatchObject({ status: 409 });
  expect(second.answers[1]).toMatchObject({ title: "Hello", author: ada });
  expect(second.answers[3]).toMatchObject({ id: ada.id });

  // The comment on the last line: postCount follows through post-events.
  await eventually(
    async () => {
      const profile = (await (await fetch(new URL(`/api/users/${ada.id}`, stack.auth.url))).json()) as {
        postCount: number;
      };
      return profile.postCount === 2;
    },
    { what: "postCount 2 on auth" },
  );
});
