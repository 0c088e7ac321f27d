type Fetch = (request: Request, server: Bun.Server<undefined>) => Response | Promise<Response>;

export interface ListenOptions {
  hostname: string;
  port: number;
  fetch: Fetch;
  /** The drain ends once no request has come for this long... */
  quietMs?: number;
  /** ...or after this long at most. */
  maxDrainMs?: number;
}

/** A listener whose `stop` drains before it closes; `server` is Bun's (for `requestIP`, `url`). */
export interface Listener {
  server: Bun.Server<undefined>;
  stop(): Promise<void>;
}

/**
 * Serves `fetch`, with a graceful stop in two steps. Bun's graceful stop closes idle keep-alive connections
 * at once (as Node's does), so a client that sends a request on one at that moment gets a reset and cannot
 * tell whether its request ran. `stop` therefore drains first: requests are still served, each answer with
 * `Connection: close`, so clients stop reusing their connections; once no request has come for `quietMs`
 * (or after `maxDrainMs`), the listener closes and the requests in flight finish.
 */
export function listen({ hostname, port, fetch, quietMs = 100, maxDrainMs = 1000 }: ListenOptions): Listener {
  let draining = false;
  let lastRequestAt = 0;
  // Decided when the answer is ready, so requests already in flight when the drain begins close theirs too.
  const closeIfDraining = (response: Response) => {
    if (draining) response.headers.set("connection", "close");
    return response;
  };
  const server = Bun.serve({
    hostname,
    port,
    fetch(request, server) {
      if (draining) lastRequestAt = performance.now();
      const response = fetch(request, server);
      return response instanceof Promise ? response.then(closeIfDraining) : closeIfDraining(response);
    },
  });
  return {
    server,
    async stop() {
      draining = true;
      const started = performance.now();
      lastRequestAt = started;
      while (performance.now() - lastRequestAt < quietMs && performance.now() - started < maxDrainMs) {
        await Bun.sleep(quietMs / 4);
      }
      await server.stop();
    },
  };
}
