import { afterAll, describe, expect, test } from "bun:test";
import { uniqueName } from "@chirp/platform/testing";
import { type Db, MongoBulkWriteError, MongoClient, MongoNetworkError, MongoServerSelectionError } from "mongodb";
import { insertEachOnce, isDatabaseUnavailable } from "./db.ts";
import { testConfig } from "./testing/index.ts";

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

describe("insertEachOnce", () => {
  test("inserts the new facts, leaves the existing ones (also repeated within the call) and counts the new", async () => {
    const facts = client.db().collection<{ _id: string; v: number }>(uniqueName("facts"));
    try {
      await facts.insertOne({ _id: "a", v: 1 });
      expect(
        await insertEachOnce(facts, [
          { _id: "a", v: 2 },
          { _id: "b", v: 2 },
          { _id: "b", v: 3 },
          { _id: "c", v: 2 },
        ]),
      ).toBe(2);
      expect(await facts.find().sort({ _id: 1 }).toArray()).toEqual([
        { _id: "a", v: 1 },
        { _id: "b", v: 2 },
        { _id: "c", v: 2 },
      ]);
      expect(await insertEachOnce(facts, [])).toBe(0);
    } finally {
      await facts.drop();
    }
  });

  test("passes on a failure that is not a duplicate key", async () => {
    // A bulk error that wraps a network error carries no write errors: it must not count as "all duplicates".
    const collection = {
      insertMany: async () => {
        throw new MongoBulkWriteError(new MongoNetworkError("connection closed"), {} as never);
      },
    };
    await expect(insertEachOnce(collection as never, [{ _id: "x" }])).rejects.toThrow("connection closed");
  });
});
