import { afterAll, describe, expect, test } from "bun:test";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { repoRoot } from "./contract-files.ts";
import { anchorsIn, deadLinks, linksIn, markdownFiles } from "./markdown-links.ts";

const root = await mkdtemp(join(tmpdir(), "markdown-links-"));
afterAll(() => rm(root, { recursive: true, force: true }));

describe("the repository's Markdown", () => {
  const files = markdownFiles(repoRoot);

  test("includes the README and the docs", () => {
    expect(files).toContain("README.md");
    expect(files).toContain("docs/architecture.md");
  });

  test.each(files)("%s has no dead relative link", (path) => {
    expect(deadLinks(repoRoot, path)).toEqual([]);
  });
});

describe("deadLinks", () => {
  test("names missing files, missing anchors and links out of the repository; passes the rest", async () => {
    await mkdir(join(root, "docs"));
    await writeFile(join(root, "docs/guide.md"), "# Guide\n\n## Delivery guarantees\n\n## Delivery guarantees\n");
    await writeFile(
      join(root, "README.md"),
      [
        "# Title",
        "[ok](docs/guide.md) [ok](docs/guide.md#delivery-guarantees-1) [ok](#title) [ok](docs/)",
        "[ok](https://example.com/nowhere.md) ![chart](docs/missing.svg)",
        "[gone](docs/gone.md) [spec](../shared/ARCHITECTURE.md)",
        "[anchor](docs/guide.md#budgets) `[code](not/a/link.md)`",
        "```md",
        "[example](also/not/a/link.md)",
        "```",
      ].join("\n"),
    );
    expect(deadLinks(root, "README.md")).toEqual([
      { target: "docs/missing.svg", line: 3, reason: "no such file" },
      { target: "docs/gone.md", line: 4, reason: "no such file" },
      { target: "../shared/ARCHITECTURE.md", line: 4, reason: "points outside the repository" },
      { target: "docs/guide.md#budgets", line: 5, reason: "no heading #budgets in docs/guide.md" },
    ]);
  });
});

describe("anchorsIn", () => {
  test("makes GitHub's heading ids, numbering repeats, and skips headings in code", () => {
    const markdown = "# The `bun test` run\n## Events, v2 (new)\n## Events, v2 (new)\n```sh\n# not a heading\n```\n";
    expect([...anchorsIn(markdown)]).toEqual(["the-bun-test-run", "events-v2-new", "events-v2-new-1"]);
  });
});

describe("linksIn", () => {
  test("reads inline links, images and reference definitions with their lines", () => {
    expect(linksIn('see [a](x.md "title") and ![b](y.svg)\n\n[ref]: z.md#part\n')).toEqual([
      { target: "x.md", line: 1 },
      { target: "y.svg", line: 1 },
      { target: "z.md#part", line: 3 },
    ]);
  });
});
