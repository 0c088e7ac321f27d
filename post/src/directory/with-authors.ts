import type { PostView } from "../stores/post-store.ts";
import type { AuthorRef, UserDirectory } from "./user-directory.ts";

export type PostWithAuthor = Omit<PostView, "author"> & { author: AuthorRef };

/**
 * Completes the authors the projection does not know yet with one directory lookup for the whole page.
 * A post whose author auth does not know either is left out: its author is deleted and the cascade is on
 * its way. When auth cannot be asked, DirectoryUnavailableError: never a post with an empty author.
 */
export async function withAuthors(views: PostView[], directory: UserDirectory): Promise<PostWithAuthor[]> {
  const missing = [...new Set(views.filter((post) => post.author.name === null).map((post) => post.author.id))];
  // DirectoryUnavailableError propagates: the app answers it with 503.
  const found = missing.length > 0 ? await directory.lookup(missing) : new Map<string, AuthorRef>();
  return views.flatMap((post) => {
    const name = post.author.name ?? found.get(post.author.id)?.name;
    return name === undefined ? [] : [{ ...post, author: { id: post.author.id, name } }];
  });
}
