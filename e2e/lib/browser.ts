/**
 * Headless Chromium (the Debian package: `scripts/ensure-tools chromium`, which `scripts/e2e` runs when it
 * runs e2e/browser) driven by puppeteer-core, and a guard that keeps a page off every host but this one.
 */
import puppeteer, { type Browser, type Page } from "puppeteer-core";

const localHosts = new Set(["127.0.0.1", "localhost", "[::1]"]);

export async function launchChromium(): Promise<Browser> {
  const executablePath = Bun.which("chromium");
  if (!executablePath) throw new Error("chromium is not installed: run `bash scripts/ensure-tools chromium`");
  return puppeteer.launch({
    executablePath,
    headless: true,
    // CI runs as root, where Chromium's sandbox cannot start.
    args: [
      "--no-sandbox",
      // Nothing but this machine resolves, so a request to the outside fails even where no page sees it.
      "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
    ],
    timeout: 30_000,
    protocolTimeout: 30_000,
  });
}

/**
 * Aborts every request of `page` to a host other than this machine, and records it: the returned list is
 * what the page tried to fetch from the outside. `local` lists what it fetched from here.
 */
export async function keepLocal(page: Page) {
  const outside: string[] = [];
  const local: string[] = [];
  await page.setRequestInterception(true);
  page.on("request", (request) => {
    const url = new URL(request.url());
    if (url.protocol === "data:" || url.protocol === "blob:" || localHosts.has(url.hostname)) {
      local.push(request.url());
      void request.continue();
    } else {
      outside.push(request.url());
      void request.abort("internetdisconnected");
    }
  });
  return { outside, local };
}
