import type { AuthorRef, UserDirectory } from "./user-directory.ts";

export interface CacheOptions {
  ttlMs: number;
  maxEntries: number;
  now?: () => number;
}

/**
 * A small TTL + LRU cache in front of a directory: one lookup for all ids it misses. Only found users are
 * kept; an unknown id is asked again next time (it may be a user whose events have not arrived yet).
 */
export function createCachedDirectory(inner: UserDirectory, options: CacheOptions): UserDirectory {
  const now = options.now ?? Date.now;
  // A Map iterates in insertion order; re-inserting on a hit makes the first key the least recently used.
  const entries = new Map<string, { author: AuthorRef; expires: number }>();
  return {
    async lookup(ids) {
      const found = new Map<string, AuthorRef>();
      const missing: string[] = [];
      for (const id of new Set(ids)) {
        const entry = entries.get(id);
        if (entry && entry.expires > now()) {
          entries.delete(id);
          entries.set(id, entry);
          found.set(id, entry.author);
        } else {
          entries.delete(id);
          missing.push(id);
        }
      }
      if (missing.length === 0) return found;
      for (const [id, author] of await inner.lookup(missing)) {
        found.set(id, author);
        entries.set(id, { author, expires: now() + options.ttlMs });
      }
      while (entries.size > options.maxEntries) {
        const oldest = entries.keys().next().value;
        if (oldest === undefined) break;
        entries.delete(oldest);
      }
      return found;
    },
  };
}
