import { describe, expect, test } from "bun:test";
import { createRevocationList } from "./revocation-list.ts";

const at = new Date("2026-11-22T10:00:00.500Z");
const second = Math.floor(at.getTime() / 1000);

describe("the in-memory revocation list", () => {
  test("refuses every token of a revoked session, and only that session", () => {
    const list = createRevocationList(60_000);
    list.add({ userId: "u1", sessionId: "s1", revokedAt: at });
    expect(list.isRevoked({ sub: "u1", sid: "s1", iat: second + 100 })).toBe(true);
    expect(list.isRevoked({ sub: "u1", sid: "s2", iat: second - 100 })).toBe(false);
  });

  test("after 'all sessions', refuses tokens issued up to that second and admits later ones", () => {
    const list = createRevocationList(60_000);
    list.add({ userId: "u1", sessionId: null, revokedAt: at });
    expect(list.isRevoked({ sub: "u1", sid: "any", iat: second - 1 })).toBe(true);
    expect(list.isRevoked({ sub: "u1", sid: "any", iat: second })).toBe(true);
    expect(list.isRevoked({ sub: "u1", sid: "any", iat: second + 1 })).toBe(false);
    expect(list.isRevoked({ sub: "u2", sid: "any", iat: second - 1 })).toBe(false);
  });

  test("forgets revocations older than the retention, which only concern expired tokens", () => {
    const list = createRevocationList(60_000);
    list.add({ userId: "u1", sessionId: "old", revokedAt: at });
    list.add({ userId: "u1", sessionId: "new", revokedAt: new Date(at.getTime() + 30_000) });
    list.prune(at.getTime() + 61_000);
    expect(list.size).toBe(1);
    expect(list.isRevoked({ sub: "u1", sid: "new", iat: second })).toBe(true);
  });
});
