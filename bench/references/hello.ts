// The HTTP ceiling: the least a Bun server can do per request.
const server = Bun.serve({
  hostname: "127.0.0.1",
  port: Number(process.env.PORT ?? 0),
  fetch: () => new Response("ok"),
});
console.log(server.url.href);
