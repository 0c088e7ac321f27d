import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";

/** One finding of the linter, as its JSON report gives it. */
export interface LintProblem {
  ruleId: string;
  severity: "error" | "warn";
  message: string;
  /** Where in the document, as a JSON pointer (`#/paths/~1api~1posts/get`). */
  pointer: string;
}

const packageDir = dirname(Bun.resolveSync("@redocly/cli/package.json", import.meta.dir));
const config = join(import.meta.dir, "..", "redocly.yaml");

/**
 * Lints an OpenAPI document with Redocly CLI under the rules of `platform/redocly.yaml`, and answers every
 * problem it reports (errors and warnings). For tests: it spawns the CLI, which takes about a second.
 */
export async function lintOpenApi(document: unknown): Promise<LintProblem[]> {
  const dir = await mkdtemp(join(tmpdir(), "openapi-lint-"));
  try {
    const file = join(dir, "openapi.json");
    await Bun.write(file, JSON.stringify(document));
    const child = Bun.spawn(
      [process.execPath, join(packageDir, "bin", "cli.js"), "lint", "--config", config, "--format", "json", file],
      {
        stdout: "pipe",
        stderr: "pipe",
        // No telemetry and no update check: the tests run offline.
        env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" },
      },
    );
    const [out, err] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text()]);
    await child.exited;
    if (!out.trim().startsWith("{")) throw new Error(`redocly lint gave no report (exit ${child.exitCode}): ${err}`);
    const report = JSON.parse(out) as {
      problems: { ruleId: string; severity: "error" | "warn"; message: string; location: { pointer: string }[] }[];
    };
    return report.problems.map(({ ruleId, severity, message, location }) => ({
      ruleId,
      severity,
      message,
      pointer: location[0]?.pointer ?? "",
    }));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

interface Operation {
  operationId?: string;
  tags?: string[];
  summary?: string;
  security?: Record<string, unknown>[];
  requestBody?: unknown;
  responses?: Record<string, { description?: string; headers?: Record<string, unknown> }>;
}

const methods = ["get", "put", "post", "delete", "patch", "options", "head"];

/**
 * The conventions of both services' documents that no standard rule checks, one line per breach: every
 * operation has an operationId, one tag and a summary; one with a body documents 400 and 413, one behind a
 * bearer token 401; and every 429 and 503 documents `Retry-After`.
 */
export function conventionProblems(document: { paths?: Record<string, Record<string, Operation>> }): string[] {
  const found: string[] = [];
  for (const [path, item] of Object.entries(document.paths ?? {})) {
    for (const [method, operation] of Object.entries(item).filter(([key]) => methods.includes(key))) {
      const where = `${method.toUpperCase()} ${path}`;
      const responses = operation.responses ?? {};
      const missing = (what: string) => found.push(`${where}: no ${what}`);
      if (!operation.operationId) missing("operationId");
      if (operation.tags?.length !== 1) missing("single tag");
      if (!operation.summary) missing("summary");
      const expected = [
        ...(operation.requestBody ? ["400", "413"] : []),
        ...(operation.security?.some((scheme) => "bearerAuth" in scheme) ? ["401"] : []),
      ];
      for (const status of expected.filter((status) => !responses[status])) missing(`${status} response`);
      for (const status of ["429", "503"]) {
        if (responses[status] && !responses[status].headers?.["Retry-After"]) missing(`Retry-After on ${status}`);
      }
    }
  }
  return found;
}

/**
 * What is wrong with a running service's API documents, as lines: the linter's findings, the conventions'
 * problems, an `info.version` (OpenAPI or AsyncAPI) other than the package's, a security scheme other than
 * `bearerAuth`. Both services' document tests assert it is empty.
 */
export async function serviceDocumentProblems(serviceUrl: URL, version: string): Promise<string[]> {
  const get = async (path: string) => (await fetch(new URL(path, serviceUrl))).json();
  const doc = (await get("/openapi.json")) as Parameters<typeof conventionProblems>[0] & {
    info: { version: string };
    components?: { securitySchemes?: object };
  };
  const events = (await get("/asyncapi.json")) as { info: { version: string } };
  const schemes = Object.keys(doc.components?.securitySchemes ?? {});
  return [
    ...(await lintOpenApi(doc)).map((p) => `${p.ruleId} at ${p.pointer}: ${p.message}`),
    ...conventionProblems(doc),
    ...(doc.info.version === version ? [] : [`OpenAPI version ${doc.info.version}, package ${version}`]),
    ...(events.info.version === version ? [] : [`AsyncAPI version ${events.info.version}, package ${version}`]),
    ...(schemes.join() === "bearerAuth" ? [] : [`security schemes ${schemes.join(", ")}, not bearerAuth`]),
  ];
}
