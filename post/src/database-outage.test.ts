import { expect, test } from "bun:test";
import { startTcpProxy } from "@chirp/platform/tcp-proxy";
import { eventually, uniqueName } from "@chirp/platform/testing";
import { isDatabaseUnavailable } from "./database-errors.ts";
import { startFakeAuth } from "./testing/fake-auth.ts";
import { createTestDatabase, startTestService, testConfig } from "./testing/index.ts";

test("a PostgreSQL outage is a 503 problem with Retry-After, not a 500, and the service serves again after it", async () => {
  using auth = await startFakeAuth();
  const config = testConfig({ AUTH_URL: auth.url });
  await using _database = await createTestDatabase(config.DATABASE_URL);
  // The service reaches PostgreSQL through a proxy that the test cuts, as a stopped server would.
  const direct = new URL(config.DATABASE_URL);
  using proxy = await startTcpProxy({ hostname: direct.hostname, port: Number(direct.port || 5432) });
  const viaProxy = new URL(config.DATABASE_URL);
  viaProxy.hostname = "127.0.0.1";
  viaProxy.port = String(proxy.port);
  await using service = await startTestService({ ...config, DATABASE_URL: viaProxy.href }, { ownDatabase: false });

  const author = uniqueName("ada");
  auth.addUser(author, "Ada");
  const token = await auth.tokens.sign({ sub: author });
  const call = async (method: string, path: string, body?: unknown) => {
    const res = await fetch(new URL(path, service.url), {
      method,
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const { status, detail } = (await res.json()) as { status?: number; detail?: string };
    return {
      status: res.status,
      type: res.headers.get("content-type"),
      retryAfter: res.headers.get("retry-after"),
      ...(res.status === 503 ? { body: { status, detail } } : {}),
    };
  };
  const newPost = { title: "t", content: "c" };
  expect((await call("POST", "/api/posts", newPost)).status).toBe(201);

  proxy.cut();
  const unavailable = {
    status: 503,
    type: "application/problem+json",
    retryAfter: "1",
    body: { status: 503, detail: "The database is unavailable; try again shortly." },
  };
  expect(await call("GET", "/api/posts")).toEqual(unavailable);
  expect(await call("POST", "/api/posts", newPost)).toEqual(unavailable);
  const ready = await fetch(new URL("/readyz", service.url));
  expect({ status: ready.status, retryAfter: ready.headers.get("retry-after") }).toEqual({
    status: 503,
    retryAfter: "1",
  });

  proxy.restore();
  await eventually(async () => (await call("GET", "/api/posts")).status === 200, { what: "posts served again" });
  expect((await call("POST", "/api/posts", newPost)).status).toBe(201);
});

test("tells an unreachable or departing PostgreSQL from a failing statement, through drizzle's wrapper", () => {
  const coded = (code: string) => Object.assign(new Error(code), { code });
  const wrapped = (cause: Error) => new Error("Failed query: select 1", { cause });
  for (const code of ["ECONNREFUSED", "CONNECTION_CLOSED", "CONNECT_TIMEOUT", "57P01", "57P03", "08006", "53300"]) {
    expect({ code, unavailable: isDatabaseUnavailable(wrapped(coded(code))) }).toEqual({ code, unavailable: true });
  }
  for (const code of ["23505", "42P01", "22P02"]) {
    expect({ code, unavailable: isDatabaseUnavailable(wrapped(coded(code))) }).toEqual({ code, unavailable: false });
  }
  expect(isDatabaseUnavailable(new Error("no code"))).toBe(false);
});
