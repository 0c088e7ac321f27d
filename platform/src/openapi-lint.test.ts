import { describe, expect, test } from "bun:test";
import { conventionProblems, lintOpenApi } from "./openapi-lint.ts";
import { testServiceApp } from "./testing.ts";

const operation = {
  operationId: "createThing",
  tags: ["things"],
  summary: "Create a thing",
  security: [{ bearerAuth: [] }],
  requestBody: { content: { "application/json": { schema: { type: "object" } } } },
  responses: {
    "201": { description: "Created" },
    "400": { description: "Invalid" },
    "401": { description: "No token" },
    "413": { description: "Too large" },
    "503": { description: "Busy", headers: { "Retry-After": { schema: { type: "integer" } } } },
  },
};

describe("lintOpenApi", () => {
  test("passes the shared app's document with a well-described operation, and reports a bare one", async () => {
    const tags = [{ name: "things", description: "Things." }];
    const doc = (await (await testServiceApp({ tags }).request("/openapi.json")).json()) as object;
    expect(await lintOpenApi({ ...doc, paths: { "/things": { post: operation } } })).toEqual([]);
    const bare = { summary: "Things", tags: ["things"], responses: { 200: { description: "ok" } } };
    const bad = { ...doc, paths: { "/things": { get: bare, post: operation } } };
    const rules = (await lintOpenApi(bad)).map((problem) => `${problem.severity} ${problem.ruleId}`);
    expect(rules).toEqual(["error operation-operationId", "error security-defined"]);
  });
});

describe("conventionProblems", () => {
  test("passes an operation that follows them", () => {
    expect(conventionProblems({ paths: { "/things": { post: operation } } })).toEqual([]);
  });

  test("lists each breach", () => {
    const { operationId: _, summary: __, ...rest } = operation;
    const responses = { "201": { description: "Created" }, "429": { description: "Slow down" } };
    expect(conventionProblems({ paths: { "/things": { post: { ...rest, tags: [], responses } } } })).toEqual([
      "POST /things: no operationId",
      "POST /things: no single tag",
      "POST /things: no summary",
      "POST /things: no 400 response",
      "POST /things: no 413 response",
      "POST /things: no 401 response",
      "POST /things: no Retry-After on 429",
    ]);
  });
});
