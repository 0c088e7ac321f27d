import { z } from "@hono/zod-openapi";

/** The RFC 9457 problem document every error answers with, as the OpenAPI documents describe it. */
export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    /** One entry per invalid field (400 only). */
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .openapi("Problem");

const retryAfter = {
  "Retry-After": {
    description: "Seconds to wait before trying again.",
    schema: { type: "integer" as const, minimum: 0 },
  },
};

/** An error response of a route, documented as problem+json; 429 and 503 always carry `Retry-After`. */
export const problemResponse = (description: string, status?: number) => ({
  description,
  content: { "application/problem+json": { schema: ProblemSchema } },
  ...(status === 429 || status === 503 ? { headers: retryAfter } : {}),
});

/** A route's JSON request body (required). */
export const jsonBody = <S>(schema: S) => ({ content: { "application/json": { schema } }, required: true });

/** A route's JSON response. */
export const jsonResponse = <S>(schema: S, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

const problemDescriptions: Record<ProblemStatus, string> = {
  400: "The input is invalid; `errors` lists each field.",
  401: "Missing, invalid or expired credentials, or a revoked session.",
  403: "The credentials do not allow this.",
  404: "Not found.",
  409: "Conflicts with the current state.",
  413: "The body is too large.",
  429: "Too many attempts; see `Retry-After`.",
  503: "Busy, or a dependency (database, Kafka, auth) is unavailable; see `Retry-After`.",
};
export type ProblemStatus = 400 | 401 | 403 | 404 | 409 | 413 | 429 | 503;

/** The documented error responses of a route, as problem+json: `...problems(400, 401, 503)`. */
export function problems(...statuses: ProblemStatus[]) {
  return Object.fromEntries(statuses.map((status) => [status, problemResponse(problemDescriptions[status], status)]));
}

/** The one security scheme of both services, as the documents name it. */
export const bearerAuthScheme = {
  type: "http" as const,
  scheme: "bearer",
  bearerFormat: "JWT",
  description: "An access token from auth's /api/auth/login, /register or /refresh (an EdDSA JWT, 15 minutes).",
};

/** The `security` of an operation that needs an access token. */
export const bearerSecurity = [{ bearerAuth: [] }];

/**
 * The `security` of an operation anyone may call. Said explicitly, so a reader (and the linter) can tell a
 * public operation from one whose requirement was forgotten.
 */
export const noSecurity = [];

/** A tag of an OpenAPI document, with what its operations are about. */
export interface OpenApiTag {
  name: string;
  description: string;
}

/** The top of a service's OpenAPI document: what it is, where it answers, and what its tags group. */
export function openApiHeader(options: {
  service: string;
  version: string;
  tags: readonly OpenApiTag[];
  /** Whether the service publishes events, described at /docs/events. */
  withEvents: boolean;
}) {
  return {
    openapi: "3.1.0",
    // Relative: the API is where its document is, behind whatever host or proxy served it.
    servers: [{ url: "/" }],
    tags: [...options.tags],
    info: {
      title: `chirp ${options.service} service`,
      version: options.version,
      // The reference page renders this, so /docs links to the events beside it.
      ...(options.withEvents
        ? {
            description:
              "Events this service publishes: [/docs/events](/docs/events) (AsyncAPI: [/asyncapi.json](/asyncapi.json)).",
          }
        : {}),
    },
  };
}
