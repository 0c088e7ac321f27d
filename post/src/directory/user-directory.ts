import { UserBatchRequest, UserBatchResponse } from "@chirp/contracts";

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
 * Auth's `POST /api/users/batch` over fetch, request and answer checked against the contract schemas.
 * (auth's app type has no routes yet to give `hc<AuthApp>` anything to type; the contract is the same.)
 */
export function createHttpDirectory({ authUrl, timeoutMs, fetch = globalThis.fetch }: HttpDirectoryOptions) {
  const url = new URL("/api/users/batch", authUrl);
  async function batch(ids: string[]) {
    let res: Response;
    try {
      res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(UserBatchRequest.parse({ ids })),
        signal: AbortSignal.timeout(timeoutMs),
      });
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
