import { describe, expect, test } from "bun:test";
import { createMetrics } from "./metrics.ts";

/** The exposition's `name{labels} value` lines of one metric, as a map from the labels text to the value. */
async function series(text: Promise<string>, name: string) {
  const lines = (await text).split("\n").filter((line) => line.startsWith(`${name}{`));
  return Object.fromEntries(
    lines.map((line) => [line.slice(name.length, line.lastIndexOf(" ")), Number(line.split(" ").at(-1))]),
  );
}

describe("request histogram", () => {
  test("renders cumulative buckets with `le` as an upper bound that includes itself, then +Inf, sum and count", async () => {
    const { registry, observeRequest } = createMetrics("svc");
    for (const seconds of [0.0005, 0.001, 0.003, 0.003, 7]) observeRequest("GET", "/things/:id", 200, seconds);
    const labels = 'method="GET",route="/things/:id",status="200",service="svc"';
    const buckets = await series(registry.metrics(), "http_request_duration_seconds_bucket");
    expect(buckets[`{le="0.001",${labels}}`]).toBe(2);
    expect(buckets[`{le="0.0025",${labels}}`]).toBe(2);
    expect(buckets[`{le="0.005",${labels}}`]).toBe(4);
    expect(buckets[`{le="2.5",${labels}}`]).toBe(4);
    expect(buckets[`{le="+Inf",${labels}}`]).toBe(5);
    expect(await series(registry.metrics(), "http_request_duration_seconds_count")).toEqual({ [`{${labels}}`]: 5 });
    const [sum] = Object.values(await series(registry.metrics(), "http_request_duration_seconds_sum"));
    expect(sum).toBeCloseTo(7.0075, 10);
  });

  test("keeps one series per method, route and status", async () => {
    const { registry, observeRequest } = createMetrics("svc");
    observeRequest("GET", "/a", 200, 0.01);
    observeRequest("GET", "/a", 404, 0.01);
    observeRequest("POST", "/a", 200, 0.01);
    observeRequest("GET", "/b", 200, 0.01);
    observeRequest("GET", "/a", 200, 0.01);
    expect(await series(registry.metrics(), "http_request_duration_seconds_count")).toEqual({
      '{method="GET",route="/a",status="200",service="svc"}': 2,
      '{method="GET",route="/a",status="404",service="svc"}': 1,
      '{method="POST",route="/a",status="200",service="svc"}': 1,
      '{method="GET",route="/b",status="200",service="svc"}': 1,
    });
  });

  test("escapes label values the exposition format cannot carry raw", async () => {
    const { registry, observeRequest } = createMetrics("svc");
    observeRequest("GET", '/odd"path\\', 200, 0.01);
    expect(await registry.metrics()).toContain('route="/odd\\"path\\\\"');
  });
});
