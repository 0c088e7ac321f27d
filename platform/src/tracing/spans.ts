import {
  type Attributes,
  type Context,
  context,
  type Link,
  propagation,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type Tracer,
  trace,
} from "@opentelemetry/api";

/**
 * The process's tracer, or undefined while tracing is off. Every helper here checks it first and does nothing
 * else when it is unset, so untraced code paths pay one comparison (no no-op spans, no context switches).
 */
let tracer: Tracer | undefined;

/** Called by `startTracing` once the provider is registered. */
export function enableTracing(active: Tracer | undefined) {
  tracer = active;
}

export const tracingEnabled = () => tracer !== undefined;

export interface SpanOptions {
  kind?: SpanKind;
  attributes?: Attributes;
  /** The parent (default: the active context). */
  parent?: Context;
  links?: Link[];
}

function failed(span: Span, error: unknown) {
  const message = error instanceof Error ? error.message : String(error);
  span.recordException(error instanceof Error ? error : message);
  span.setStatus({ code: SpanStatusCode.ERROR, message });
}

/** Runs `work` with `span` active and ends the span with its outcome, awaited when it is a promise. */
function within<T>(span: Span, parent: Context, work: () => T): T {
  let result: T;
  try {
    result = context.with(trace.setSpan(parent, span), work);
  } catch (error) {
    failed(span, error);
    span.end();
    throw error;
  }
  if (!(result instanceof Promise)) {
    span.end();
    return result;
  }
  return result.then(
    (value) => {
      span.end();
      return value;
    },
    (error: unknown) => {
      failed(span, error);
      span.end();
      throw error;
    },
  ) as T;
}

/** Runs `work` in a span named `name` (the active one while it runs); just runs it when tracing is off. */
export function inSpan<T>(name: string, options: SpanOptions, work: (span?: Span) => Promise<T>): Promise<T> {
  if (!tracer) return work();
  const parent = options.parent ?? context.active();
  const span = tracer.startSpan(name, options, parent);
  return within(span, parent, () => work(span));
}

/** The W3C `traceparent` of the active span, to carry the trace across a queue; undefined when untraced. */
export function currentTraceparent(): string | undefined {
  if (!tracer) return undefined;
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent;
}

/** The context a `traceparent` names (the root context when it is missing or malformed). */
export function contextFrom(traceparent: string | undefined): Context {
  if (!tracer || !traceparent) return ROOT_CONTEXT;
  return propagation.extract(ROOT_CONTEXT, { traceparent });
}

/** A link to the span a `traceparent` names, for work that serves several traces at once. */
export function linkTo(traceparent: string | undefined): Link | undefined {
  const span = trace.getSpanContext(contextFrom(traceparent));
  return span ? { context: span } : undefined;
}

/** The ids of the active span, for log lines; empty when untraced. */
export function traceIds(): { traceId?: string; spanId?: string } {
  const span = trace.getSpanContext(context.active());
  return span ? { traceId: span.traceId, spanId: span.spanId } : {};
}

/**
 * Wraps every method of a store in a client span named `<name>.<method>`, with the database system as an
 * attribute. Applied where stores are built, and only when tracing is on, so untraced services call their
 * stores directly.
 */
export function tracedStore<S extends object>(store: S, name: string, system: string): S {
  const active = tracer;
  if (!active) return store;
  return new Proxy(store, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver);
      if (typeof value !== "function" || typeof property !== "string") return value;
      const options = { kind: SpanKind.CLIENT, attributes: { "db.system.name": system } };
      return (...args: unknown[]) => {
        const parent = context.active();
        const span = active.startSpan(`${name}.${property}`, options, parent);
        return within(span, parent, () => value.apply(target, args));
      };
    },
  });
}

export { SpanKind };
