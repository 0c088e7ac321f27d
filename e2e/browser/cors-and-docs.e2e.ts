/**
 * The API as a browser sees it, in headless Chromium: a page served from a third origin (listed in
 * CORS_ORIGINS) registers, logs in and posts through both services, preflights included; the same page from
 * an unlisted origin is refused by the browser before anything is sent; and `/docs` of each service renders
 * every operation of its OpenAPI document with the network to the outside blocked.
 * E2E_UPDATE_DOCS=1 also writes the screenshot of auth's `/docs` to docs/api-reference.png.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname } from "node:path";
import type { Browser, Page } from "puppeteer-core";
import { keepLocal, launchChromium } from "../lib/browser.ts";
import { createClient } from "../lib/client.ts";
import { resultsFile } from "../lib/results.ts";
import { type Stack, startStack } from "../lib/stack.ts";

const appPage = await Bun.file(new URL("./app.html", import.meta.url)).text();
const serveApp = () =>
  Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch: () => new Response(appPage, { headers: { "content-type": "text/html; charset=utf-8" } }),
  });

let listed: ReturnType<typeof serveApp> | undefined;
let unlisted: ReturnType<typeof serveApp> | undefined;
let stack: Stack | undefined;
let browser: Browser | undefined;
const running = () => {
  if (!listed || !unlisted || !stack || !browser) throw new Error("the stack or the browser did not start");
  return { listed, unlisted, stack, browser };
};

beforeAll(async () => {
  listed = serveApp();
  unlisted = serveApp();
  const cors = { CORS_ORIGINS: listed.url.origin };
  stack = await startStack({ authEnv: cors, postEnv: cors });
  browser = await launchChromium();
}, 120_000);

// Every part is stopped even when another fails to stop (or never started); the first failure is reported.
afterAll(async () => {
  const stops = await Promise.allSettled([
    browser?.close(),
    stack?.[Symbol.asyncDispose](),
    listed?.stop(true),
    unlisted?.stop(true),
  ]);
  const failed = stops.find((stop) => stop.status === "rejected");
  if (failed) throw failed.reason;
}, 60_000);

/** A fresh page that gives up on anything after 30 s, so a stuck render fails the test instead of hanging it. */
async function newPage(browser: Browser) {
  const page = await browser.newPage();
  page.setDefaultTimeout(30_000);
  return page;
}

/** The preflights (`OPTIONS`) the page's fetches caused, as "url (requested headers)", seen through CDP. */
async function recordPreflights(page: Page) {
  const preflights: string[] = [];
  const cdp = await page.createCDPSession();
  await cdp.send("Network.enable");
  cdp.on("Network.requestWillBeSent", ({ request }) => {
    if (request.method === "OPTIONS")
      preflights.push(`${request.url} (${request.headers["Access-Control-Request-Headers"]})`);
  });
  return preflights;
}

/** Opens the app page from `origin` and waits for its script to finish, successfully or not. */
async function runApp(page: Page, origin: URL, email: string) {
  const { stack } = running();
  const query = new URLSearchParams({ auth: stack.auth.url.origin, post: stack.post.url.origin, email });
  await page.goto(`${origin.origin}/?${query}`);
  const result = await page.waitForSelector("output[data-state]");
  return {
    state: await result?.evaluate((output) => output.dataset.state),
    steps: JSON.parse((await result?.evaluate((output) => output.textContent)) ?? "{}"),
  };
}

describe("CORS in a real browser", () => {
  test("an app on a listed origin registers, logs in and posts through both APIs", async () => {
    const { listed, stack, browser } = running();
    const page = await newPage(browser);
    const preflights = await recordPreflights(page);
    const email = `browser-${crypto.randomUUID()}@example.com`;

    const { state, steps } = await runApp(page, listed.url, email);

    expect({ state, error: steps.error }).toEqual({ state: "done", error: undefined });
    expect(steps.register).toMatchObject({ status: 201, body: { user: { email, name: "Browser" } } });
    expect(steps.login).toMatchObject({ status: 200, body: { accessToken: expect.any(String) } });
    const author = { id: steps.register.body.user.id, name: "Browser" };
    expect(steps.post).toMatchObject({ status: 201, body: { title: "From a browser", author } });
    // An exposed header: readable by the app only because the service lists it.
    for (const step of [steps.register, steps.login, steps.post]) expect(step.requestId).toEqual(expect.any(String));
    // Each call is JSON (and the post's has a bearer token), so the browser asked first, every time.
    expect(preflights.toSorted()).toEqual(
      [
        `${stack.auth.url.origin}/api/auth/login (content-type)`,
        `${stack.auth.url.origin}/api/auth/register (content-type)`,
        `${stack.post.url.origin}/api/posts (authorization,content-type)`,
      ].toSorted(),
    );

    const stored = await createClient(stack.post.url).get(`/api/posts/${steps.post.body.id}`);
    expect({ status: stored.status, body: stored.body }).toMatchObject({
      status: 200,
      body: { id: steps.post.body.id, title: "From a browser", author },
    });
    await page.close();
  });

  test("an app on an unlisted origin is refused by the browser before its request is sent", async () => {
    const { unlisted, stack, browser } = running();
    const page = await newPage(browser);
    const email = `refused-${crypto.randomUUID()}@example.com`;

    const { state, steps } = await runApp(page, unlisted.url, email);

    expect({ state, steps }).toEqual({ state: "failed", steps: { error: "TypeError: Failed to fetch" } });
    // The preflight got no CORS headers, so the browser never sent the registration itself.
    const login = await createClient(stack.auth.url).post("/api/auth/login", {
      email,
      password: "correct horse battery",
    });
    expect(login.status).toBe(401);
    await page.close();
  });
});

describe("/docs offline", () => {
  for (const service of ["auth", "post"] as const) {
    test(`${service}'s /docs renders every operation of /openapi.json with no request to the outside`, async () => {
      const { stack, browser } = running();
      const base = stack[service].url;
      const openapi: { paths: Record<string, Record<string, unknown>> } = (
        await createClient(base).get("/openapi.json")
      ).body;
      const operations = Object.entries(openapi.paths)
        .flatMap(([path, item]) => Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`))
        .toSorted();
      const page = await newPage(browser);
      await page.setViewport({ width: 1280, height: 900 });
      const requests = await keepLocal(page);

      await page.goto(new URL("/docs", base).href);
      // A string, evaluated in the page: the e2e package's types have no DOM globals.
      await page.waitForFunction(`document.querySelectorAll(".opblock").length >= ${operations.length}`);

      const rendered = await page.$$eval(".opblock", (blocks) =>
        blocks.map(
          (block) =>
            `${block.querySelector(".opblock-summary-method")?.textContent} ${block.querySelector(".opblock-summary-path")?.getAttribute("data-path")}`,
        ),
      );
      expect(rendered.toSorted()).toEqual(operations);
      expect(requests.outside).toEqual([]);
      // The guard was in the way of every request: it saw the page's own script and the document.
      expect(requests.local).toEqual(
        expect.arrayContaining([expect.stringMatching(/swagger-ui-bundle\.js$/), new URL("/openapi.json", base).href]),
      );
      if (service === "auth") await screenshot(page);
      await page.close();
    });
  }
});

/** Into the run's output folder; into docs/ too when the run updates the docs. */
async function screenshot(page: Page) {
  const path = `${dirname(resultsFile)}/api-reference.png`;
  mkdirSync(dirname(path), { recursive: true });
  await page.screenshot({ path: path as `${string}.png` });
  if (process.env.E2E_UPDATE_DOCS === "1") {
    copyFileSync(path, new URL("../../docs/api-reference.png", import.meta.url).pathname);
  }
}
