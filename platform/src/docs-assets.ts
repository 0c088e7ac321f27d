import { gzippedBase64 } from "./gzip-macro.ts" with { type: "macro" };

/**
 * The files of the reference page (Swagger UI, from the pinned swagger-ui-dist), gzipped and inlined when the
 * code is transpiled, so the compiled executable carries them and `/docs` needs no internet. Imported on the
 * first request for one: the inlining costs about a tenth of a second where code is transpiled at start.
 */
export const docsAssets: Record<string, { type: string; gzipBase64: string }> = {
  "swagger-ui-bundle.js": {
    type: "text/javascript; charset=utf-8",
    gzipBase64: gzippedBase64("swagger-ui-dist/swagger-ui-bundle.js"),
  },
  "swagger-ui.css": {
    type: "text/css; charset=utf-8",
    gzipBase64: gzippedBase64("swagger-ui-dist/swagger-ui.css"),
  },
};
