import { propagation, ROOT_CONTEXT, SpanKind } from "@opentelemetry/api";
import { inSpan, tracingEnabled } from "./spans.ts";

type Fetch<A extends unknown[]> = (request: Request, ...rest: A) => Response | Promise<Response>;

const headerGetter = {
  keys: (headers: Headers) => [...headers.keys()],
  get: (headers: Headers, key: string) => headers.get(key) ?? undefined,
};

/**
 * Wraps a service's fetch in a server span per request, continuing the caller's trace when it sends a
 * `traceparent`, and named by method and matched route once the route is known. Returns `fetch` itself when
 * tracing is off: the hot path is not touched at all.
 */
export function traceRequests<A extends unknown[]>(
  fetch: Fetch<A>,
  routeOf: (method: string, request: Request) => string,
): Fetch<A> {
  if (!tracingEnabled()) return fetch;
  return (request, ...rest) => {
    const parent = propagation.extract(ROOT_CONTEXT, request.headers, headerGetter);
    const url = new URL(request.url);
    const attributes = { "http.request.method": request.method, "url.path": url.pathname };
    return inSpan(`${request.method}`, { kind: SpanKind.SERVER, attributes, parent }, async (span) => {
      const response = await fetch(request, ...rest);
      const route = routeOf(request.method, request);
      span?.updateName(`${request.method} ${route}`);
      span?.setAttributes({ "http.route": route, "http.response.status_code": response.status });
      return response;
    });
  };
}
