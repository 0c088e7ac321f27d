import { describe, expect, test } from "bun:test";
import { listen } from "./serve.ts";
import { eventually } from "./testing.ts";

const ok = () => new Response("ok");

describe("listen: a graceful stop that drains first", () => {
  test("answers with Connection: close while draining, and refuses connections once stopped", async () => {
    const listener = listen({ hostname: "127.0.0.1", port: 0, fetch: ok, quietMs: 200 });
    const url = listener.server.url;
    expect((await fetch(url)).headers.get("connection")).not.toBe("close");

    const stopping = listener.stop();
    const during = await fetch(url);
    expect(during.status).toBe(200);
    expect(during.headers.get("connection")).toBe("close");
    await stopping;
    expect(
      await fetch(url).then(
        () => "answered",
        (error: Error) => error.name,
      ),
    ).not.toBe("answered");
  });

  test("a request in flight when the drain begins is answered, and told to close its connection", async () => {
    const gate = Promise.withResolvers<void>();
    const entered = Promise.withResolvers<void>();
    const listener = listen({
      hostname: "127.0.0.1",
      port: 0,
      fetch: async () => {
        entered.resolve();
        await gate.promise;
        return new Response("slow");
      },
    });
    const inFlight = fetch(listener.server.url);
    await entered.promise;
    const stopping = listener.stop();
    gate.resolve();
    const res = await inFlight;
    expect(await res.text()).toBe("slow");
    expect(res.headers.get("connection")).toBe("close");
    await stopping;
  });

  test("clients sending without pause on keep-alive connections lose no request across a stop", async () => {
    const listener = listen({ hostname: "127.0.0.1", port: 0, fetch: ok, maxDrainMs: 500 });
    const url = listener.server.url;
    let stopAt = Number.POSITIVE_INFINITY;
    const failedBeforeStop: string[] = [];
    let answered = 0;
    const worker = async () => {
      for (let i = 0; i < 2000; i++) {
        const sentAt = performance.now();
        try {
          await fetch(url);
          answered++;
        } catch (error) {
          if (sentAt < stopAt) failedBeforeStop.push(String(error));
          return;
        }
      }
    };
    const workers = Promise.all(Array.from({ length: 4 }, worker));
    await eventually(() => answered >= 100, { what: "the clients under way" });
    stopAt = performance.now();
    await listener.stop();
    await workers;
    expect(answered).toBeGreaterThan(0);
    expect(failedBeforeStop).toEqual([]);
  });
});
