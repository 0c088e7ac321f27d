import { existsSync, readFileSync, statSync } from "node:fs";
import { dirname, join, relative } from "node:path";

/** A link in a Markdown file, with the line it is on (1-based). */
export interface MarkdownLink {
  target: string;
  line: number;
}

/** A relative link whose file or anchor does not exist. */
export interface DeadLink extends MarkdownLink {
  reason: string;
}

const FENCE = /^\s*(`{3,}|~{3,})/;
// Inline links and images `[text](target "title")`, and reference definitions `[name]: target`.
const INLINE = /!?\[(?:[^\]\\]|\\.)*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g;
const DEFINITION = /^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)/;
const EXTERNAL = /^[a-z][a-z0-9+.-]*:/i;

/** The lines outside fenced code blocks (1-based numbers): code is not Markdown. */
function linesOutsideCode(markdown: string): { text: string; line: number }[] {
  const lines: { text: string; line: number }[] = [];
  let fence: string | null = null;
  markdown.split("\n").forEach((text, index) => {
    const marker = FENCE.exec(text)?.[1];
    if (fence === null && marker) fence = marker;
    else if (fence !== null && marker?.startsWith(fence)) fence = null;
    else if (fence === null) lines.push({ text, line: index + 1 });
  });
  return lines;
}

export function linksIn(markdown: string): MarkdownLink[] {
  const links: MarkdownLink[] = [];
  for (const { text: raw, line } of linesOutsideCode(markdown)) {
    const text = raw.replace(/(`+)[^`]*?\1/g, ""); // a link inside a code span is an example, not a link
    for (const match of text.matchAll(INLINE)) if (match[1]) links.push({ target: match[1], line });
    const definition = DEFINITION.exec(text)?.[1];
    if (definition) links.push({ target: definition, line });
  }
  return links;
}

/** GitHub's heading ids: the heading's text lowercased, punctuation dropped, spaces turned into hyphens. */
export function anchorsIn(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const { text } of linesOutsideCode(markdown)) {
    for (const match of text.matchAll(/<a\s[^>]*(?:name|id)="([^"]+)"/g)) if (match[1]) anchors.add(match[1]);
    const heading = /^\s{0,3}#{1,6}\s+(.*?)(?:\s+#+)?\s*$/.exec(text)?.[1];
    if (heading === undefined) continue;
    const slug = heading
      .replace(/!?\[([^\]]*)\]\([^)]*\)/g, "$1")
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, "")
      .replace(/ /g, "-");
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

/**
 * The relative links of the Markdown file at `path` (inside `root`) whose target does not exist, or whose
 * `#anchor` names no heading of the Markdown file it points to. External links are not fetched.
 */
export function deadLinks(root: string, path: string): DeadLink[] {
  const source = join(root, path);
  const markdown = readFileSync(source, "utf8");
  const dead: DeadLink[] = [];
  for (const link of linksIn(markdown)) {
    if (EXTERNAL.test(link.target)) continue;
    const [pathPart = "", anchor] = link.target.split("#", 2);
    const file = pathPart === "" ? source : join(dirname(source), decodeURIComponent(pathPart.split("?")[0] ?? ""));
    if (relative(root, file).startsWith("..")) {
      dead.push({ ...link, reason: "points outside the repository" });
    } else if (!existsSync(file)) {
      dead.push({ ...link, reason: "no such file" });
    } else if (anchor && file.endsWith(".md") && statSync(file).isFile()) {
      if (!anchorsIn(readFileSync(file, "utf8")).has(decodeURIComponent(anchor))) {
        dead.push({ ...link, reason: `no heading #${anchor} in ${relative(root, file)}` });
      }
    }
  }
  return dead;
}

/** The repository's Markdown files, tracked or new (what .gitignore leaves out is not the project's). */
export function markdownFiles(root: string): string[] {
  const listed = Bun.spawnSync(["git", "ls-files", "--cached", "--others", "--exclude-standard", "*.md"], {
    cwd: root,
  });
  if (listed.exitCode !== 0) throw new Error(`git ls-files failed: ${listed.stderr.toString()}`);
  return listed.stdout
    .toString()
    .split("\n")
    .filter((path) => path !== "" && existsSync(join(root, path)));
}
