import { z } from "zod";

/** An opaque entity id (users, sessions, posts): URL-safe, at most 64 characters. */
export const Id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, "must be an opaque id of letters, digits, '_' or '-'");
