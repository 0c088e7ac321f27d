import { describe, expect, test } from "bun:test";
import { conventionProblems, lintOpenApi } from "@chirp/platform/openapi-lint";
import packageJson from "../package.json";
import { startTestService } from "./testing/index.ts";

describe("post's OpenAPI document", () => {
  test("passes the OpenAPI linter and the API's conventions, with the package's version and bearerAuth", async () => {
    await using service = await startTestService();
    const doc = (await (await fetch(new URL("/openapi.json", service.url))).json()) as Parameters<
      typeof conventionProblems
    >[0] & { info: { version: string }; components: { securitySchemes: object } };
    expect(await lintOpenApi(doc)).toEqual([]);
    expect(conventionProblems(doc)).toEqual([]);
    expect(doc.info.version).toBe(packageJson.version);
    expect(Object.keys(doc.components.securitySchemes)).toEqual(["bearerAuth"]);
    const events = (await (await fetch(new URL("/asyncapi.json", service.url))).json()) as {
      info: { version: string };
    };
    expect(events.info.version).toBe(packageJson.version);
  });
});
