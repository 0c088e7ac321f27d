import { describe, expect, test } from "bun:test";
import { testServiceApp } from "./testing.ts";

const app = testServiceApp();
const references = (html: string) => [...html.matchAll(/\b(?:src|href)="([^"]*)"/g)].map((match) => match[1] ?? "");

describe("/docs", () => {
  test("references only files of this service, and every one is served", async () => {
    const res = await app.request("/docs");
    expect(res.headers.get("content-type")).toContain("text/html");
    const html = await res.text();
    expect(html).not.toMatch(/https?:|\/\//);
    const files = references(html);
    expect(files).toEqual([
      expect.stringMatching(/^\/docs\/assets\/swagger-ui-[\d.]+\/swagger-ui\.css$/),
      expect.stringMatching(/^\/docs\/assets\/swagger-ui-[\d.]+\/swagger-ui-bundle\.js$/),
    ]);
    const [styles, script] = await Promise.all(files.map((file) => app.request(file)));
    expect(styles?.status).toBe(200);
    expect(styles?.headers.get("content-type")).toBe("text/css; charset=utf-8");
    expect(script?.status).toBe(200);
    expect(script?.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(await script?.text()).toContain("SwaggerUIBundle");
  });

  test("gzips the script for clients that accept it, and the page's script is the same either way", async () => {
    const [file] = references(await (await app.request("/docs")).text()).filter((path) => path.endsWith(".js"));
    const plain = await app.request(file ?? "");
    const gzipped = await app.request(file ?? "", { headers: { "accept-encoding": "gzip, deflate, br" } });
    expect(plain.headers.get("content-encoding")).toBeNull();
    expect(gzipped.headers.get("content-encoding")).toBe("gzip");
    expect(gzipped.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    const raw = new Uint8Array(await plain.arrayBuffer());
    const compressed = new Uint8Array(await gzipped.arrayBuffer());
    expect(compressed.byteLength).toBeLessThan(raw.byteLength / 2);
    expect(Bun.gunzipSync(compressed)).toEqual(raw);
  });

  test("an unknown file under the assets is a 404 problem", async () => {
    const res = await app.request("/docs/assets/swagger-ui-0.0.0/other.js");
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
  });
});
