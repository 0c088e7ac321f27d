import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { uniqueName } from "@chirp/platform/testing";
import { startTestService, type TestService, testClient, testConfig } from "../testing/index.ts";

const limit = 4;
const racing = 12;
let service: TestService;
beforeAll(async () => {
  service = await startTestService(
    testConfig({ REGISTER_MAX_PER_ADDRESS: `${limit}`, PASSWORD_HASH_QUEUE: `${racing * 2}` }),
  );
});
afterAll(() => service[Symbol.asyncDispose]());

const account = (i: number) => ({
  name: `Bot ${i}`,
  email: `${uniqueName("bot")}@example.com`,
  password: "correct horse battery",
});

describe("registration throttling per client address", () => {
  // Each attempt is recorded before it counts the others, so the one recorded last saw them all: at most the
  // limit pass, and a burst whose attempts all land before any counts may see every one refused.
  test(`${racing} concurrent registrations from one address: at most ${limit} accounts, the rest 429 with Retry-After`, async () => {
    const bot = testClient(service);
    const replies = await Promise.all(
      Array.from({ length: racing }, (_, i) => bot.post("/api/auth/register", account(i))),
    );
    const refused = replies.filter((reply) => reply.status === 429);
    const created = replies.filter((reply) => reply.status === 201).length;
    expect(created + refused.length).toBe(racing);
    expect(created).toBeLessThanOrEqual(limit);
    for (const reply of refused) {
      expect(Number(reply.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(reply.headers.get("content-type")).toStartWith("application/problem+json");
    }
    // Refused attempts removed their facts: hammering does not extend the wait.
    expect(await service.db.collection("address_attempts").countDocuments({ address: bot.address })).toBe(created);
  });

  test("one after another: exactly the limit from one address, then 429, while another address still registers", async () => {
    const bot = testClient(service);
    for (let i = 0; i < limit; i++) expect((await bot.post("/api/auth/register", account(i))).status).toBe(201);
    expect((await bot.post("/api/auth/register", account(limit))).status).toBe(429);
    expect((await testClient(service).post("/api/auth/register", account(0))).status).toBe(201);
  });
});
