/**
 * Tracing on, against a real Jaeger: one trace runs from auth's register route through its outbox and Kafka
 * into post's projection, and another from post's create route into auth's post-events consumer. The client
 * starts each trace (its own `traceparent`), so the test knows which trace to ask Jaeger for.
 */
import { expect, test } from "bun:test";
import { uniqueName } from "@chirp/platform/testing";
import { createClient } from "../lib/client.ts";
import { ensureJaeger, jaeger, newTraceparent, type TraceSpan, traceWhen } from "../lib/jaeger.ts";
import { startStack } from "../lib/stack.ts";

const unavailable = await ensureJaeger();
if (unavailable) console.log(`tracing e2e skipped: ${unavailable}`);

const names = (spans: TraceSpan[], service: string) =>
  spans.filter((span) => span.service === service).map((span) => span.operationName);

test.skipIf(unavailable !== undefined)(
  "register and post: each trace spans auth -> Kafka -> post (and back), as Jaeger shows it",
  async () => {
    const run = uniqueName("traced");
    const service = { auth: `${run}-auth`, post: `${run}-post` };
    const tracing = (name: string) => ({ OTEL_EXPORTER_OTLP_ENDPOINT: jaeger.otlp, OTEL_SERVICE_NAME: name });
    await using stack = await startStack({ authEnv: tracing(service.auth), postEnv: tracing(service.post) });
    const auth = createClient(stack.auth.url);
    const post = createClient(stack.post.url);

    const registered = newTraceparent();
    const email = `${run}@example.com`;
    const body = { name: "Ada", email, password: "correct horse battery staple" };
    const reply = await auth.call("POST", "/api/auth/register", {
      body,
      headers: { traceparent: registered.traceparent },
    });
    expect(reply.status).toBe(201);
    const spans = await traceWhen(
      registered.traceId,
      (found) => names(found, service.post).some((name) => name.startsWith("authors.")),
      "the registration's trace reaching post's author projection",
    );
    expect(names(spans, service.auth)).toContain("POST /api/auth/register");
    expect(names(spans, service.auth)).toContain("outbox.record");
    expect(names(spans, service.post)).toContain("user-events process");

    const created = newTraceparent();
    const token = reply.body.accessToken as string;
    const posted = await post.call("POST", "/api/posts", {
      body: { title: "Traced", content: "through Kafka" },
      token,
      headers: { traceparent: created.traceparent },
    });
    expect(posted.status).toBe(201);
    const postSpans = await traceWhen(
      created.traceId,
      (found) => names(found, service.auth).includes("post-events process"),
      "the post's trace reaching auth's post-events consumer",
    );
    expect(names(postSpans, service.post)).toContain("POST /api/posts");
    expect(names(postSpans, service.post)).toContain("posts.create");
  },
  120_000,
);
