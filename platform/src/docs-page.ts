import { Hono } from "hono";
import { version } from "swagger-ui-dist/package.json";

/** Where the reference page's files are served; the version in the path lets browsers keep them for good. */
export const docsAssetsPath = `/docs/assets/swagger-ui-${version}`;

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);

/**
 * The interactive reference page of `/openapi.json` (Swagger UI), every file of it served by the service
 * itself: it renders on a machine with no internet, and nothing outside the service can change it. The
 * validator badge is off: it would send the document to validator.swagger.io.
 */
export function docsPage(title: string) {
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8" />
    <meta name="viewport" content="width=device-width, initial-scale=1" />
    <title>${escapeHtml(title)}</title>
    <link rel="stylesheet" href="${docsAssetsPath}/swagger-ui.css" />
  </head>
  <body>
    <div id="docs"></div>
    <script src="${docsAssetsPath}/swagger-ui-bundle.js"></script>
    <script>
      SwaggerUIBundle({ url: "/openapi.json", dom_id: "#docs", deepLinking: true, validatorUrl: null });
    </script>
  </body>
</html>
`;
}

interface DocsFile {
  type: string;
  gzipped: Uint8Array<ArrayBuffer>;
  /** Unpacked on the first request from a client that does not take gzip. */
  raw?: Uint8Array<ArrayBuffer>;
}

/**
 * Serves the page at `/docs` and its files under `docsAssetsPath`: gzipped as stored to clients that accept
 * it (the script is 1.7 MB raw, 0.5 MB gzipped), unpacked once for any other.
 */
export function docsRoutes(title: string) {
  const page = docsPage(title);
  const files = new Map<string, DocsFile>();
  const load = async (name: string) => {
    const { docsAssets } = await import("./docs-assets.ts");
    const asset = docsAssets[name];
    if (!asset) return undefined;
    const file: DocsFile = { type: asset.type, gzipped: Uint8Array.fromBase64(asset.gzipBase64) };
    files.set(name, file);
    return file;
  };
  const app = new Hono();
  app.get("/docs", (c) => c.html(page));
  app.get(`${docsAssetsPath}/:file`, async (c) => {
    const name = c.req.param("file");
    const file = files.get(name) ?? (await load(name));
    if (!file) return c.notFound();
    c.header("content-type", file.type);
    c.header("cache-control", "public, max-age=31536000, immutable");
    c.header("vary", "Accept-Encoding");
    if (!/\bgzip\b/.test(c.req.header("accept-encoding") ?? "")) {
      file.raw ??= Bun.gunzipSync(file.gzipped);
      return c.body(file.raw);
    }
    c.header("content-encoding", "gzip");
    return c.body(file.gzipped);
  });
  return app;
}
