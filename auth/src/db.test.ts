import { afterAll, describe, expect, test } from "bun:test";
import { type Db, MongoBulkWriteError, MongoClient, MongoNetworkError, MongoServerSelectionError } from "mongodb";
import { isDatabaseUnavailable } from "./db.ts";
import { testConfig } from "./testing.ts";

const client = new MongoClient(testConfig().MONGO_URL);
afterAll(() => client.close());

/** One idle pooled connection of the client (driver internals: this is about the patched driver itself). */
function pooledConnection(c: MongoClient) {
  // biome-ignore lint/suspicious/noExplicitAny: reaching into the driver's pool on purpose.
  const server = [...(c as any).topology.s.servers.values()][0];
  return [...server.pool.connections][0] as {
    socket: { destroy(): void };
    command(ns: unknown, cmd: object, options: object): Promise<unknown>;
  };
}

describe("the MongoDB driver on Bun (patches/mongodb@7.9.0.patch)", () => {
  test("fails a command on a connection whose socket is gone instead of waiting forever", async () => {
    const db: Db = client.db();
    await db.command({ ping: 1 });
    const connection = pooledConnection(client);
    // As when the server restarts: Bun destroys the socket, and a write to it returns false with no event.
    connection.socket.destroy();
    const ns = { db: "admin", collection: "$cmd", toString: () => "admin.$cmd" };
    const outcome = await Promise.race([
      connection.command(ns, { ping: 1 }, {}).then(
        () => "answered",
        (error: Error) => error.name,
      ),
      new Promise((resolve) => setTimeout(resolve, 3000, "still waiting after 3 s")),
    ]);
    expect(outcome).toBe("MongoNetworkError");
    // The client itself carries on with a fresh connection.
    expect(await db.command({ ping: 1 })).toEqual({ ok: 1 });
  });
});

describe("isDatabaseUnavailable", () => {
  test("names network and server-selection errors, also inside a bulk write error, and nothing else", () => {
    const network = new MongoNetworkError("connection 4 to 127.0.0.1:1 closed");
    const bulk = new MongoBulkWriteError(network, {} as never);
    expect(
      [network, new MongoServerSelectionError("no server", {} as never), bulk, new Error("boom")].map(
        isDatabaseUnavailable,
      ),
    ).toEqual([true, true, true, false]);
  });
});
