import { type AsyncApiDocument, asyncApiDocument, type TopicDefinition } from "@chirp/contracts";
import { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { bodyLimit } from "hono/body-limit";
import { HTTPException } from "hono/http-exception";
import { METHOD_NAME_ALL } from "hono/router";
import type { ContentfulStatusCode } from "hono/utils/http-status";
import { getPath } from "hono/utils/url";
import type { z } from "zod";
import { asyncApiPage } from "./asyncapi-page.ts";
import { corsFor } from "./cors.ts";
import { docsRoutes } from "./docs-page.ts";
import type { Logger } from "./logger.ts";
import { createMetrics, type Metrics } from "./metrics.ts";
import { bearerAuthScheme, type OpenApiTag, openApiHeader } from "./openapi.ts";
import type { Readiness } from "./readiness.ts";
import { traceRequests } from "./tracing/http.ts";

/**
 * What every request handler can read from `c.env`: the request's id (log with it for correlation) and the
 * service's logger. They arrive as the request's bindings rather than context variables because they are
 * set before Hono dispatches (see `createServiceApp`), which keeps a middleware layer off every request.
 */
export interface RequestBindings {
  requestId: string;
  logger: Logger;
}

/** The Hono environment of every service route. */
export type AppEnv = { Bindings: RequestBindings };

/** One field's validation error in a problem body. */
export interface FieldError {
  path: string;
  message: string;
}

/** An RFC 9457 problem document. */
export interface Problem {
  type: string;
  title: string;
  status: number;
  detail?: string;
  errors?: FieldError[];
}

const titles: Record<number, string> = {
  400: "Bad Request",
  401: "Unauthorized",
  403: "Forbidden",
  404: "Not Found",
  409: "Conflict",
  413: "Content Too Large",
  415: "Unsupported Media Type",
  429: "Too Many Requests",
  500: "Internal Server Error",
  503: "Service Unavailable",
};

/** Answers with `application/problem+json`. */
export function problem(
  c: Context,
  status: ContentfulStatusCode,
  extra: Partial<Omit<Problem, "status">> = {},
): Response {
  const body: Problem = { type: "about:blank", title: titles[status] ?? "Error", status, ...extra };
  return c.body(JSON.stringify(body), status, { "content-type": "application/problem+json" });
}

/** Turns zod issues into the `errors` list of a 400 problem. */
export function fieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.map((issue) => ({ path: issue.path.join(".") || "(body)", message: issue.message }));
}

/** Validation failures of any request part become one 400 problem that lists each field. */
export function validationHook(result: { success: boolean; error?: z.ZodError; target?: string }, c: Context) {
  if (result.success || !result.error) return;
  return problem(c, 400, {
    detail: `The request ${result.target ?? "input"} is invalid.`,
    errors: fieldErrors(result.error),
  });
}

export interface ServiceAppOptions {
  service: string;
  /** The package's version: the OpenAPI and AsyncAPI documents' `info.version`. */
  version: string;
  /** The tags of the service's operations, described at the top of the OpenAPI document. */
  tags?: readonly OpenApiTag[];
  logger: Logger;
  bodyLimitBytes: number;
  /** Browser origins allowed to call the API (CORS); none by default. */
  corsOrigins?: readonly string[];
  readiness: Readiness;
  /** The topics this service produces: described at /asyncapi.json and /docs/events (built on first request). */
  produces?: readonly TopicDefinition[];
  /** Turns a service's own error types into responses; return undefined for the default handling. */
  mapError?: (error: Error, c: Context<AppEnv>) => Response | undefined;
  /** Where request figures go, served at /metrics; services add their own series to its registry. */
  metrics?: Metrics;
}

const quietPaths = new Set(["/healthz", "/readyz", "/metrics"]);
/** The wait a 429 or 503 names when its route named none: retrying at once rarely helps, minutes are too long. */
const defaultRetryAfterSeconds = "1";

/** A caller's request id is kept when it is short and plain; anything else is replaced. */
function acceptedRequestId(value: string | null) {
  return value && value.length <= 200 && /^[\w.:@/+=-]+$/.test(value) ? value : undefined;
}

// Unique without a UUID per request: a random prefix per process, then a counter.
const processPrefix = crypto.randomUUID().slice(0, 8);
let requestCount = 0;
const nextRequestId = () => `${processPrefix}-${(++requestCount).toString(36)}`;

/**
 * The part every service shares: request ids, access logs, body limit, problem+json errors, JSON 404,
 * health and readiness, and the OpenAPI document with its reference page. Does no I/O.
 */
export function createServiceApp(options: ServiceAppOptions) {
  const { logger } = options;
  const metrics = options.metrics ?? createMetrics(options.service);
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

  // Only when configured: a middleware makes every request asynchronous, which the raw-server budget feels.
  // First, so the answers of the body limit and of errors carry the CORS headers too.
  if (options.corsOrigins?.length) app.use(corsFor(options.corsOrigins));
  const limitBody = bodyLimit({
    maxSize: options.bodyLimitBytes,
    onError: (c) => problem(c, 413, { detail: `The body exceeds ${options.bodyLimitBytes} bytes.` }),
  });
  app.on(["POST", "PUT", "PATCH", "DELETE"], "*", limitBody);

  // The matched pattern, not the path, so ids in URLs do not multiply the series. Hono runs matches in the
  // order they were registered and the first handler answers, so that is the route: middleware (`use`, whose
  // method is ALL, and the body limit) only passes on. A later pattern may match too (`/api/users/:id` after
  // `/api/users/me`) but never runs.
  const routeOf = (method: string, path: string) => {
    const [matched] = app.router.match(method === "HEAD" ? "GET" : method, path);
    for (const [[, route]] of matched) {
      if (route.method !== METHOD_NAME_ALL && route.handler !== limitBody) return route.path;
    }
    return "unmatched";
  };

  // Request ids, access logs and metrics wrap Hono's dispatch instead of running as a middleware: a
  // middleware turns every route into an asynchronous chain, and this runs on every request, where each
  // microsecond counts against the raw-server budget. `app.request` (the tests' entry) goes through it too.
  const dispatch = app.fetch;
  app.fetch = (request, _env, executionCtx) => {
    const started = performance.now();
    const requestId = acceptedRequestId(request.headers.get("x-request-id")) ?? nextRequestId();
    const finish = (response: Response) => {
      response.headers.set("x-request-id", requestId);
      // 429 and 503 always say when to come back (the API's convention), however they were answered; a route
      // that knows the wait sets its own.
      if ((response.status === 503 || response.status === 429) && !response.headers.has("retry-after")) {
        response.headers.set("retry-after", defaultRetryAfterSeconds);
      }
      const path = getPath(request);
      if (quietPaths.has(path) && response.status < 500) return response;
      const ms = performance.now() - started;
      metrics.observeRequest(request.method, routeOf(request.method, path), response.status, ms / 1000);
      logger.info({ requestId, method: request.method, path, status: response.status, ms: Math.round(ms * 100) / 100 });
      return response;
    };
    const response = dispatch(request, { requestId, logger } satisfies RequestBindings, executionCtx);
    return response instanceof Promise ? response.then(finish) : finish(response);
  };
  // Outside the function above, so its access log line carries the request's trace id.
  app.fetch = traceRequests(app.fetch, (method, request) => routeOf(method, getPath(request)));

  app.onError((error, c) => {
    const mapped = options.mapError?.(error, c);
    if (mapped) return mapped;
    if (error instanceof HTTPException) {
      if (error.res) return error.res;
      return problem(c, error.status as ContentfulStatusCode, { detail: error.message || undefined });
    }
    logger.error({ err: error, requestId: c.env.requestId }, "unhandled error");
    return problem(c, 500, { detail: "An unexpected error occurred." });
  });
  app.notFound((c) => problem(c, 404, { detail: `No route for ${c.req.method} ${c.req.path}.` }));

  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/metrics", async (c) =>
    c.body(await metrics.registry.metrics(), 200, { "content-type": metrics.registry.contentType }),
  );
  app.get("/readyz", async (c) => {
    const report = await options.readiness();
    return c.json(report, report.status === "ok" ? 200 : 503);
  });
  const produces = options.produces ?? [];
  app.openAPIRegistry.registerComponent("securitySchemes", "bearerAuth", bearerAuthScheme);
  app.doc31("/openapi.json", openApiHeader({ ...options, tags: options.tags ?? [], withEvents: produces.length > 0 }));
  app.route("/", docsRoutes(`chirp ${options.service} API`));
  if (produces.length > 0) {
    // Generating JSON Schemas costs milliseconds: not worth paying at start-up, before anyone asks.
    let events: { document: AsyncApiDocument; page: string } | undefined;
    const describe = () => {
      if (events) return events;
      const document = asyncApiDocument({
        service: options.service,
        topics: [...produces],
        version: options.version,
      });
      events = { document, page: asyncApiPage(document) };
      return events;
    };
    app.get("/asyncapi.json", (c) => c.json(describe().document));
    app.get("/docs/events", (c) => c.html(describe().page));
  }
  return app;
}
