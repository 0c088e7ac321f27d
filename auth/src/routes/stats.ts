import { validationHook } from "@chirp/platform/http";
import { bearerSecurity, problems } from "@chirp/platform/openapi";
import { createRoute, OpenAPIHono, z } from "@hono/zod-openapi";
import { HTTPException } from "hono/http-exception";
import type { AuthDeps, RouteEnv } from "../deps.ts";
import { type DayCount, dayOf } from "../stores/activity-store.ts";
import { requireBearer } from "./bearer.ts";

/** The widest range one request may count: a year, leap day included. */
export const maxStatsDays = 366;
const dayMs = 86_400_000;
const daysBetween = (from: string, to: string) => Math.round((Date.parse(to) - Date.parse(from)) / dayMs) + 1;

const StatsQuery = z
  .object({
    from: z.iso
      .date()
      .optional()
      .openapi({ description: "First UTC day (default: 29 days before `to`)", example: "2025-01-01" }),
    to: z.iso
      .date()
      .optional()
      .openapi({ description: "Last UTC day, inclusive (default: today)", example: "2025-01-31" }),
  })
  .transform(({ from, to }) => {
    const last = to ?? dayOf(new Date());
    return { from: from ?? dayOf(new Date(Date.parse(last) - 29 * dayMs)), to: last };
  })
  .refine(({ from, to }) => from <= to, { message: "`from` must not be after `to`", path: ["from"] })
  .refine(({ from, to }) => daysBetween(from, to) <= maxStatsDays, {
    message: `the range may span at most ${maxStatsDays} days`,
    path: ["from"],
  });

const Counts = z
  .record(z.string(), z.number().int())
  .openapi({ example: { "user.registered": 3, "user.logged_in": 7 } });
export const StatsView = z
  .object({
    from: z.iso.date(),
    to: z.iso.date(),
    /** Days with at least one event, oldest first. */
    days: z.array(z.object({ day: z.iso.date(), counts: Counts })),
    /** The same counts over the whole range. */
    totals: Counts,
  })
  .openapi("Stats");

const stats = createRoute({
  method: "get",
  path: "/",
  operationId: "getStats",
  tags: ["activity"],
  summary: "Events per type per UTC day over a range of days (admins only)",
  security: bearerSecurity,
  request: { query: StatsQuery },
  responses: {
    200: { description: "The counts", content: { "application/json": { schema: StatsView } } },
    ...problems(400, 401, 403, 503),
  },
});

/** Arranges the per-(day, type) counts by day; at most 366 days times a handful of types, so in code. */
export function arrange(rows: DayCount[]) {
  const byDay = new Map<string, Record<string, number>>();
  const totals: Record<string, number> = {};
  for (const { day, type, count } of rows) {
    const counts = byDay.get(day) ?? {};
    counts[type] = count;
    byDay.set(day, counts);
    totals[type] = (totals[type] ?? 0) + count;
  }
  const days = [...byDay.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([day, counts]) => ({ day, counts }));
  return { days, totals };
}

/** `/api/stats`: what happened across the whole service, per day. */
export function statsRoutes(deps: AuthDeps) {
  const app = new OpenAPIHono<RouteEnv>({ defaultHook: validationHook });
  app.use(requireBearer(deps));
  return app.openapi(stats, async (c) => {
    if (c.var.caller.role !== "admin") throw new HTTPException(403, { message: "Statistics are for admins." });
    const { from, to } = c.req.valid("query");
    return c.json({ from, to, ...arrange(await deps.activity.countsByDay(from, to)) }, 200);
  });
}
