import type { AccessTokenClaims } from "@chirp/contracts";

/** A revoked session, or (`sessionId` null) every session of the user as of `revokedAt`. */
export interface Revocation {
  userId: string;
  sessionId: string | null;
  revokedAt: Date;
}

/**
 * The revocations every request is checked against, in memory. Entries older than `retentionMs` are
 * dropped by `prune`: they can only concern access tokens that have expired anyway.
 */
export function createRevocationList(retentionMs: number) {
  const sessions = new Map<string, number>();
  const everySession = new Map<string, number>();
  return {
    add({ userId, sessionId, revokedAt }: Revocation) {
      const at = revokedAt.getTime();
      if (sessionId) sessions.set(sessionId, Math.max(at, sessions.get(sessionId) ?? 0));
      else everySession.set(userId, Math.max(at, everySession.get(userId) ?? 0));
    },
    /**
     * A token of a revoked session is refused; after "all sessions" every token issued up to that second
     * is (`iat` has second precision, so a token of the same second is refused too: the safe side).
     */
    isRevoked(claims: Pick<AccessTokenClaims, "sub" | "sid" | "iat">) {
      if (sessions.has(claims.sid)) return true;
      const all = everySession.get(claims.sub);
      return all !== undefined && claims.iat <= Math.floor(all / 1000);
    },
    prune(now = Date.now()) {
      for (const map of [sessions, everySession]) {
        for (const [key, at] of map) if (at < now - retentionMs) map.delete(key);
      }
    },
    get size() {
      return sessions.size + everySession.size;
    },
  };
}

export type RevocationList = ReturnType<typeof createRevocationList>;
