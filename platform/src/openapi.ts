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

/** An error response of a route, documented as problem+json. */
export const problemResponse = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: ProblemSchema } },
});
