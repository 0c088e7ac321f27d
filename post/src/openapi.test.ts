import { describe, expect, test } from "bun:test";
import { serviceDocumentProblems } from "@chirp/platform/openapi-lint";
import packageJson from "../package.json";
import { startTestService } from "./testing/index.ts";

describe("post's API documents", () => {
  test("pass the OpenAPI linter and the API's conventions, with the package's version and bearerAuth", async () => {
    await using service = await startTestService();
    expect(await serviceDocumentProblems(service.url, packageJson.version)).toEqual([]);
  });
});
