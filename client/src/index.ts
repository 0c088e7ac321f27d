/**
 * Typed clients of both services' HTTP APIs, on Hono's `hc`: every route, its parameters, body and answers are
 * typed from the services' own route definitions. Only types come from the services (`import type`, erased at
 * build), so a client's bundle holds `hono/client` and nothing of the servers.
 *
 *   const auth = createAuthClient("http://127.0.0.1:3001");
 *   const res = await auth.api.auth.login.$post({ json: { email, password } });
 */
import type { AuthApp } from "@chirp/auth/app";
import type { PostApp } from "@chirp/post/app";
import { type ClientRequestOptions, hc } from "hono/client";

export type { ClientRequestOptions } from "hono/client";

/** A client of the auth service at `baseUrl` (headers, e.g. a bearer token, and `fetch` through `options`). */
export const createAuthClient = (baseUrl: string | URL, options?: ClientRequestOptions) =>
  hc<AuthApp>(String(baseUrl), options);

/** A client of the post service at `baseUrl`. */
export const createPostClient = (baseUrl: string | URL, options?: ClientRequestOptions) =>
  hc<PostApp>(String(baseUrl), options);

export type AuthClient = ReturnType<typeof createAuthClient>;
export type PostClient = ReturnType<typeof createPostClient>;

/** `Authorization: Bearer <token>` for `options.headers`. */
export const bearer = (accessToken: string) => ({ authorization: `Bearer ${accessToken}` });
