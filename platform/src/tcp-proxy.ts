import type { Socket, TCPSocketListener } from "bun";

interface Pair {
  client: Socket<Pair>;
  server?: Socket<Pair>;
  /** What the client sent before the connection to the target was up. */
  pending: Uint8Array[];
}

/**
 * A TCP proxy to `target` on a port of its own, for tests of a dependency's outage: `cut()` drops every
 * connection and stops listening (new connections are refused, as by a stopped server), `restore()` listens
 * on the same port again. Bytes are passed on as they come; backpressure is ignored (test traffic is small).
 */
export async function startTcpProxy(target: { hostname: string; port: number }) {
  const pairs = new Set<Pair>();
  const forward = (to: Socket<Pair> | undefined, data: Uint8Array, pair: Pair) => {
    if (to) to.write(data);
    else pair.pending.push(new Uint8Array(data));
  };
  const connectTarget = async (pair: Pair) => {
    try {
      pair.server = await Bun.connect<Pair>({
        ...target,
        data: pair,
        socket: {
          data: (_socket, data) => {
            pair.client.write(data);
          },
          close: () => {
            pair.client.end();
          },
          error: () => {
            pair.client.end();
          },
        },
      });
      for (const chunk of pair.pending.splice(0)) pair.server.write(chunk);
    } catch {
      pair.client.end();
    }
  };
  let port = 0;
  let listener: TCPSocketListener<Pair> | undefined;
  const listen = () => {
    listener = Bun.listen<Pair>({
      hostname: "127.0.0.1",
      port,
      socket: {
        open(client) {
          const pair: Pair = { client, pending: [] };
          client.data = pair;
          pairs.add(pair);
          void connectTarget(pair);
        },
        data: (client, data) => forward(client.data.server, data, client.data),
        close(client) {
          client.data.server?.end();
          pairs.delete(client.data);
        },
      },
    });
    port = listener.port;
  };
  listen();
  const cut = () => {
    listener?.stop(true);
    listener = undefined;
    for (const pair of pairs) {
      pair.client.terminate();
      pair.server?.terminate();
    }
    pairs.clear();
  };
  return {
    port,
    cut,
    restore: listen,
    [Symbol.dispose]: cut,
  };
}
