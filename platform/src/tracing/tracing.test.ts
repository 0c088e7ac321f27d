import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { SpanKind } from "@opentelemetry/api";
import { InMemorySpanExporter } from "@opentelemetry/sdk-trace";
import type { KafkaMessage } from "kafkajs";
import { TracingEnv } from "../config.ts";
import { createServiceApp } from "../http.ts";
import { createLogger } from "../logger.ts";
import { createReadiness } from "../readiness.ts";
import { inConsumeSpan } from "./kafka.ts";
import { startTracing, type Tracing, tracesUrl } from "./setup.ts";
import { currentTraceparent, inSpan, tracedStore, tracingEnabled } from "./spans.ts";

const untraced = TracingEnv.parse({});

describe("tracing configuration", () => {
  test("is off unless an OTLP endpoint is set, and OTEL_SDK_DISABLED wins", () => {
    expect(tracesUrl(untraced)).toBeUndefined();
    expect(startTracing(untraced, "test")).toBeUndefined();
    expect(tracingEnabled()).toBe(false);
    expect(tracesUrl(TracingEnv.parse({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318/" }))).toBe(
      "http://127.0.0.1:4318/v1/traces",
    );
    const both = { OTEL_EXPORTER_OTLP_ENDPOINT: "http://a:4318", OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://b/t" };
    expect(tracesUrl(TracingEnv.parse(both))).toBe("http://b/t");
    expect(tracesUrl(TracingEnv.parse({ ...both, OTEL_SDK_DISABLED: "true" }))).toBeUndefined();
  });

  test("leaves helpers pass-through while off", async () => {
    const store = { find: async (id: string) => id };
    expect(tracedStore(store, "users", "mongodb")).toBe(store);
    expect(currentTraceparent()).toBeUndefined();
    expect(await inSpan("x", {}, async (span) => span)).toBeUndefined();
  });
});

describe("with tracing on", () => {
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing;
  const lines: Record<string, unknown>[] = [];
  beforeAll(() => {
    tracing = startTracing(untraced, "test", exporter) as Tracing;
  });
  afterAll(() => tracing.shutdown());

  const spans = async () => {
    await tracing.flush();
    return exporter.getFinishedSpans();
  };

  test("a request gets a server span named by its route, continuing the caller's trace; logs carry its ids", async () => {
    const captured = createLogger("test", "info", { write: (line: string) => lines.push(JSON.parse(line)) });
    const app = createServiceApp({
      service: "test",
      version: "1",
      logger: captured,
      bodyLimitBytes: 1024,
      readiness: createReadiness({}),
    });
    let inside: string | undefined;
    app.get("/things/:id", (c) => {
      inside = currentTraceparent();
      return c.json({ ok: true });
    });
    const parent = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";
    const response = await app.request("/things/42", { headers: { traceparent: parent } });
    expect(response.status).toBe(200);
    const [span] = (await spans()).filter((s) => s.name === "GET /things/:id");
    expect(span?.kind).toBe(SpanKind.SERVER);
    expect(span?.spanContext().traceId).toBe("0af7651916cd43dd8448eb211c80319c");
    expect(span?.parentSpanContext?.spanId).toBe("b7ad6b7169203331");
    expect(inside).toBe(`00-0af7651916cd43dd8448eb211c80319c-${span?.spanContext().spanId}-01`);
    expect(lines.at(-1)).toMatchObject({ path: "/things/42", traceId: "0af7651916cd43dd8448eb211c80319c" });
  });

  test("a consumed message continues the trace in its traceparent header; store calls are child spans", async () => {
    exporter.reset();
    const store = tracedStore({ save: async (value: number) => value * 2 }, "posts", "postgresql");
    const traceparent = "00-11111111111111111111111111111111-2222222222222222-01";
    const message = { offset: "7", headers: { traceparent: Buffer.from(traceparent) } } as unknown as KafkaMessage;
    expect(await inConsumeSpan("user-events", [message], () => store.save(21))).toBe(42);
    const found = await spans();
    const consume = found.find((s) => s.name === "user-events process");
    const save = found.find((s) => s.name === "posts.save");
    expect(consume?.spanContext().traceId).toBe("11111111111111111111111111111111");
    expect(consume?.parentSpanContext?.spanId).toBe("2222222222222222");
    expect(save?.parentSpanContext?.spanId).toBe(consume?.spanContext().spanId as string);
    expect(save?.attributes["db.system.name"]).toBe("postgresql");
  });

  test("a failing call marks its span as failed and still throws", async () => {
    exporter.reset();
    const store = tracedStore({ boom: async () => Promise.reject(new Error("nope")) }, "users", "mongodb");
    await expect(store.boom()).rejects.toThrow("nope");
    const [span] = await spans();
    expect(span?.status).toMatchObject({ code: 2, message: "nope" });
  });
});
