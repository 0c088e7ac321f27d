import { z } from "@hono/zod-openapi";

/**
 * A password: 8..128 characters (code points, so emoji count once), no composition rules (NIST 800-63B).
 * The upper bound caps hashing cost; argon2id hashes the whole string, so nothing is truncated.
 */
export const Password = z
  .string()
  .refine((value) => [...value].length >= 8, "must be at least 8 characters")
  .refine((value) => [...value].length <= 128, "must be at most 128 characters")
  .openapi({ minLength: 8, maxLength: 128, format: "password" });

/** The argon2id cost: OWASP's minimum (m=19 MiB, t=2, p=1; Bun uses one lane). */
export const argon2Params = { algorithm: "argon2id", memoryCost: 19 * 1024, timeCost: 2 } as const;
