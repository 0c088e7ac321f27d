import { createAuthClient } from "@chirp/client";
import { UserBatchResponse } from "@chirp/contracts";

/** What a post shows of its author. */
export interface AuthorRef {
  id: string;
  name: string;
}

/** The auth service could not answer; a page is not shown with authors missing. */
export class DirectoryUnavailableError extends Error {
  override name = "DirectoryUnavailableError";
}

/** Looks users up by id at the source (auth). Unknown ids are left out of the answer. */
export interface UserDirectory {
  lookup(ids: readonly string[]): Promise<Map<string, AuthorRef>>;
}

export interface HttpDirectoryOptions {
  authUrl: string;
  timeoutMs: number;
  fetch?: typeof fetch;
}

const BATCH_MAX = 100;

/**
 * Auth's `POST /api/users/batch` through `@chirp/client` (Hono's typed client for auth's app), so a change of the route's
 * shape fails the typecheck here; the answer is still checked against the contract schema at run time,
 * since the auth running may be another version than the one compiled against.
 */
export function createHttpDirectory({ authUrl, timeoutMs, fetch = globalThis.fetch }: HttpDirectoryOptions) {
  const auth = createAuthClient(authUrl, { fetch });
  async function batch(ids: string[]) {
    let res: Awaited<ReturnType<typeof auth.api.users.batch.$post>>;
    try {
      res = await auth.api.users.batch.$post({ json: { ids } }, { init: { signal: AbortSignal.timeout(timeoutMs) } });
    } catch (error) {
      throw new DirectoryUnavailableError(`auth unreachable: ${(error as Error).message}`);
    }
    if (!res.ok) throw new DirectoryUnavailableError(`auth answered ${res.status} to the batch lookup`);
    const body = UserBatchResponse.safeParse(await res.json().catch(() => null));
    if (!body.success) throw new DirectoryUnavailableError("auth's batch answer does not match the contract");
    return body.data.users;
  }
  return {
    async lookup(ids) {
      const found = new Map<string, AuthorRef>();
      for (let start = 0; start < ids.length; start += BATCH_MAX) {
        for (const user of await batch(ids.slice(start, start + BATCH_MAX))) {
          found.set(user.id, { id: user.id, name: user.name });
        }
      }
      return found;
    },
  } satisfies UserDirectory;
}
