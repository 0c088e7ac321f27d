import { CommonEnv, env, parseEnv } from "@chirp/platform/config";
import { z } from "zod";

/** The auth service's environment. Every variable is documented in the README's configuration table. */
export const AuthEnv = CommonEnv.extend({
  PORT: env.port(3001),
  MONGO_URL: z
    .string()
    .regex(/^mongodb(\+srv)?:\/\//, "must be a mongodb:// or mongodb+srv:// URL")
    .default("mongodb://127.0.0.1:27017/chirp_auth?directConnection=true&retryWrites=false"),
  KAFKA_CLIENT_ID: z.string().min(1).default("auth"),
  KAFKA_GROUP_ID: z.string().min(1).default("auth"),
});
export type AuthConfig = z.output<typeof AuthEnv>;

export const loadConfig = (environment: Record<string, string | undefined>): AuthConfig =>
  parseEnv(AuthEnv, environment);
