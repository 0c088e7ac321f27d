import { expect, test } from "bun:test";
import { startFakeAuth } from "../testing/fake-auth.ts";
import { createHttpDirectory, DirectoryUnavailableError } from "./user-directory.ts";

test("looks ids up 100 at a time through the typed client and leaves unknown ids out", async () => {
  using auth = await startFakeAuth();
  auth.addUser("u-1", "Ada");
  auth.addUser("u-150", "Grace");
  const ids = Array.from({ length: 150 }, (_, i) => `u-${i + 1}`);
  const found = await createHttpDirectory({ authUrl: auth.url, timeoutMs: 2000 }).lookup(ids);
  expect([...found.values()]).toEqual([
    { id: "u-1", name: "Ada" },
    { id: "u-150", name: "Grace" },
  ]);
  expect(auth.batchCalls.map((call) => call.length)).toEqual([100, 50]);
});

test("auth answering 503 or not listening is DirectoryUnavailableError", async () => {
  const auth = await startFakeAuth();
  const directory = createHttpDirectory({ authUrl: auth.url, timeoutMs: 2000 });
  auth.state.available = false;
  await expect(directory.lookup(["u-1"])).rejects.toThrow(
    new DirectoryUnavailableError("auth answered 503 to the batch lookup"),
  );
  auth[Symbol.dispose]();
  await expect(directory.lookup(["u-1"])).rejects.toBeInstanceOf(DirectoryUnavailableError);
});
