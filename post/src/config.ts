import { CommonEnv, env, parseEnv } from "@chirp/platform/config";
import { z } from "zod";

/** The post service's environment. Every variable is documented in the README's configuration table. */
export const PostEnv = CommonEnv.extend({
  PORT: env.port(3002),
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, "must be a postgres:// URL")
    .default("postgres://postgres@127.0.0.1:5432/chirp_post"),
  DATABASE_POOL_MAX: env.int(10, 1, 500),
  /** Where the auth service answers: its JWKS and batch user lookup. */
  AUTH_URL: z.url().default("http://127.0.0.1:3001"),
  KAFKA_CLIENT_ID: z.string().min(1).default("post"),
  KAFKA_GROUP_ID: z.string().min(1).default("post"),
});
export type PostConfig = z.output<typeof PostEnv>;

export const loadConfig = (environment: Record<string, string | undefined>): PostConfig =>
  parseEnv(PostEnv, environment);
