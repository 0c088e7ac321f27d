import { createAuthClient, createPostClient } from "@chirp/client";
/**
 * A JSON HTTP client for the e2e suites that counts what it sees: every request, its status and its time.
 * Each request has a deadline, so a hang shows up as a timeout (status 0) instead of a stuck test.
 */
import { uniqueName } from "@chirp/platform/testing";

export interface Reply {
  /** "METHOD /path", to tell which request a figure or failure belongs to. */
  request: string;
  status: number;
  ms: number;
  headers: Headers;
  // biome-ignore lint/suspicious/noExplicitAny: bodies are checked with toEqual by the tests.
  body: any;
}

/** What a client saw: counts by status; status 0 = no answer before the deadline or connection refused. */
export class Tally {
  readonly statuses = new Map<number, number>();
  readonly latencies: number[] = [];
  timeouts = 0;
  refused = 0;

  add(status: number, ms: number) {
    this.statuses.set(status, (this.statuses.get(status) ?? 0) + 1);
    this.latencies.push(ms);
  }
  get requests() {
    return this.latencies.length;
  }
  get serverErrors() {
    return [...this.statuses].filter(([status]) => status >= 500).reduce((sum, [, n]) => sum + n, 0);
  }
  summary() {
    return Object.fromEntries([...this.statuses].toSorted(([a], [b]) => a - b));
  }
}

export interface RequestOptions {
  body?: unknown;
  token?: string;
  headers?: Record<string, string>;
  /** A raw body sent as is (no JSON encoding, no content type added). */
  raw?: string | Uint8Array;
  timeoutMs?: number;
}

export function createClient(base: URL, tally = new Tally(), address = randomAddress()) {
  async function call(method: string, path: string, options: RequestOptions = {}): Promise<Reply> {
    const headers: Record<string, string> = { "x-forwarded-for": address, ...options.headers };
    if (options.body !== undefined) headers["content-type"] ??= "application/json";
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    const started = performance.now();
    try {
      const res = await fetch(new URL(path, base), {
        method,
        headers,
        body: options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body)),
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
      const text = await res.text();
      const ms = performance.now() - started;
      tally.add(res.status, ms);
      return { request: `${method} ${path}`, status: res.status, ms, headers: res.headers, body: parse(text) };
    } catch (error) {
      const ms = performance.now() - started;
      const timedOut = error instanceof DOMException && error.name === "TimeoutError";
      if (timedOut) tally.timeouts++;
      else tally.refused++;
      tally.add(0, ms);
      return { request: `${method} ${path}`, status: 0, ms, headers: new Headers(), body: { error: String(error) } };
    }
  }
  /** `fetch` for the typed clients: this client's address, deadline and tally, as `call` has them. */
  const tracked = async (input: string | URL | Request, init?: RequestInit) => {
    const headers = new Headers(init?.headers);
    headers.set("x-forwarded-for", address);
    const started = performance.now();
    const res = await fetch(input, { ...init, headers, signal: init?.signal ?? AbortSignal.timeout(10_000) });
    tally.add(res.status, performance.now() - started);
    return res;
  };
  const auth = createAuthClient(base, { fetch: tracked });
  return {
    base,
    tally,
    address,
    call,
    /** `@chirp/client`'s typed clients on this base (auth's or post's, as `base` is), through `tracked`. */
    auth,
    posts: createPostClient(base, { fetch: tracked }),
    get: (path: string, token?: string) => call("GET", path, { token }),
    post: (path: string, body: unknown, token?: string) => call("POST", path, { body, token }),
    /** Registers a fresh account; throws unless the answer is 201. */
    async register(name = "Ada", password = "correct horse battery staple") {
      const email = `${uniqueName(name.toLowerCase().replace(/\W/g, ""))}@example.com`;
      const res = await auth.api.auth.register.$post({ json: { name, email, password } });
      if (res.status !== 201) throw new Error(`register answered ${res.status}: ${await res.text()}`);
      const { user, accessToken, refreshToken } = await res.json();
      return { id: user.id, name, email, password, accessToken, refreshToken };
    },
  };
}

export type Client = ReturnType<typeof createClient>;
export type Account = Awaited<ReturnType<Client["register"]>>;

function parse(text: string) {
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

const octet = () => Math.floor(Math.random() * 250) + 1;
/** A made-up client address for X-Forwarded-For (the stack trusts it), so throttling stays per client. */
export const randomAddress = () => `10.${octet()}.${octet()}.${octet()}`;
