// postgres.js's own codes for a connection that failed or broke, and the socket's.
const connectionErrors = new Set([
  "CONNECT_TIMEOUT",
  "CONNECTION_CLOSED",
  "CONNECTION_ENDED",
  "CONNECTION_DESTROYED",
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
]);

/** The code of a database error: the first `code` on the error or its causes (drizzle wraps the driver's). */
export function errorCode(error: unknown): string | undefined {
  for (let cause = error, depth = 0; cause instanceof Error && depth < 4; cause = cause.cause, depth++) {
    const code = (cause as { code?: unknown }).code;
    if (typeof code === "string") return code;
  }
  return undefined;
}

/**
 * True when PostgreSQL could not be reached or is going away (down, restarting, out of connections): the
 * request may succeed if retried. Besides the connection codes, SQLSTATE classes 08 (connection exception)
 * and 57P (shutting down, starting up), and 53300 (too many connections).
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  const code = errorCode(error);
  if (code === undefined) return false;
  return connectionErrors.has(code) || code.startsWith("08") || code.startsWith("57P") || code === "53300";
}

/**
 * True for PostgreSQL's data exceptions (SQLSTATE class 22, e.g. a NUL byte in text): the value itself is
 * refused, so trying again can never succeed.
 */
export const isRefusedValue = (error: unknown): boolean => errorCode(error)?.startsWith("22") ?? false;
