import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { startTestService, type TestService, testClient, testConfig } from "../testing/index.ts";

const racing = 40;
let service: TestService;
beforeAll(async () => {
  service = await startTestService(
    testConfig({
      LOGIN_MAX_FAILURES_PER_ACCOUNT: "5",
      LOGIN_MAX_FAILURES_PER_ADDRESS: "7",
      // Every racing login is admitted (none refused with 503), so only the throttle decides.
      PASSWORD_HASH_QUEUE: `${racing * 2}`,
    }),
  );
});
afterAll(() => service[Symbol.asyncDispose]());

const statuses = (replies: { status: number }[]) => ({
  401: replies.filter((r) => r.status === 401).length,
  429: replies.filter((r) => r.status === 429).length,
});

describe("login throttling under concurrency", () => {
  test(`${racing} concurrent wrong passwords from one address: at most the account's limit reach the password check`, async () => {
    const { email } = await testClient(service).register();
    const guesser = testClient(service);
    const replies = await Promise.all(
      Array.from({ length: racing }, (_, i) =>
        guesser.post("/api/auth/login", { email, password: `wrong password ${i}` }),
      ),
    );
    const seen = statuses(replies);
    expect(seen[401] + seen[429]).toBe(racing);
    expect(seen[401]).toBeLessThanOrEqual(service.config.LOGIN_MAX_FAILURES_PER_ACCOUNT);
  });

  test(`${racing} concurrent unknown e-mails from one address: at most the address's limit reach the password check`, async () => {
    const attacker = testClient(service);
    const replies = await Promise.all(
      Array.from({ length: racing }, (_, i) =>
        attacker.post("/api/auth/login", { email: `nobody${i}@example.com`, password: "guess1234" }),
      ),
    );
    const seen = statuses(replies);
    expect(seen[401] + seen[429]).toBe(racing);
    expect(seen[401]).toBeLessThanOrEqual(service.config.LOGIN_MAX_FAILURES_PER_ADDRESS);
  });
});
