import { describe, expect, test } from "bun:test";
import type { AccessTokenClaims } from "@chirp/contracts";
import { InvalidTokenError, type TokenVerifier } from "./token-verifier.ts";
import { cacheVerified } from "./verified-cache.ts";

const claims = (sub: string, exp: number): AccessTokenClaims => ({
  iss: "i",
  aud: "a",
  sub,
  sid: "s",
  jti: sub,
  iat: 0,
  exp,
  role: "user",
});

/** Verifies tokens named "good-<sub>" (expiring at second 100), refuses anything else, and counts calls. */
function countingVerifier() {
  const calls: string[] = [];
  const verifier: TokenVerifier = {
    async verify(token) {
      calls.push(token);
      if (!token.startsWith("good-")) throw new InvalidTokenError("bad");
      return claims(token.slice(5), 100);
    },
  };
  return { verifier, calls };
}

describe("cacheVerified", () => {
  test("remembers, synchronously, only tokens that verified and are unexpired", async () => {
    const { verifier } = countingVerifier();
    let now = 50_000;
    const cached = cacheVerified(verifier, 10, () => now);
    expect(cached.remembered?.("good-a")).toBeUndefined();
    await cached.verify("good-a");
    await cached.verify("bad").catch(() => {});
    expect(cached.remembered?.("good-a")).toEqual(claims("a", 100));
    expect(cached.remembered?.("bad")).toBeUndefined();
    now = 100_000;
    expect(cached.remembered?.("good-a")).toBeUndefined();
  });

  test("verifies a token once while it is unexpired", async () => {
    const { verifier, calls } = countingVerifier();
    const cached = cacheVerified(verifier, 10, () => 50_000);
    expect(await cached.verify("good-a")).toEqual(claims("a", 100));
    expect(await cached.verify("good-a")).toEqual(claims("a", 100));
    expect(calls).toEqual(["good-a"]);
  });

  test("verifies again once the token has expired, so the expiry error comes from the real check", async () => {
    const { verifier, calls } = countingVerifier();
    let clock = 50_000;
    const cached = cacheVerified(verifier, 10, () => clock);
    await cached.verify("good-a");
    clock = 100_000;
    await cached.verify("good-a");
    expect(calls).toEqual(["good-a", "good-a"]);
  });

  test("never remembers a refusal", async () => {
    const { verifier, calls } = countingVerifier();
    const cached = cacheVerified(verifier, 10, () => 0);
    await expect(cached.verify("forged")).rejects.toThrow(InvalidTokenError);
    await expect(cached.verify("forged")).rejects.toThrow(InvalidTokenError);
    expect(calls).toEqual(["forged", "forged"]);
  });

  test("keeps at most maxEntries tokens, dropping the oldest", async () => {
    const { verifier, calls } = countingVerifier();
    const cached = cacheVerified(verifier, 2, () => 0);
    for (const token of ["good-a", "good-b", "good-c", "good-c", "good-b", "good-a"]) await cached.verify(token);
    expect(calls).toEqual(["good-a", "good-b", "good-c", "good-a"]);
  });
});
