// The framework's own floor: a bare Hono app (no middleware) answering /healthz as the services do. The
// services must use Hono, so no stack built on it can beat this figure against the raw Bun.serve hello.
import { Hono } from "hono";

const app = new Hono();
app.get("/healthz", (c) => c.json({ status: "ok" }));
const server = Bun.serve({ hostname: "127.0.0.1", port: Number(process.env.PORT ?? 0), fetch: app.fetch });
console.log(server.url.href);
