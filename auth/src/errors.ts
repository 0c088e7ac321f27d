/** A request refused for now: 429 (this caller must slow down) or 503 (the service is saturated). */
export class RetryLaterError extends Error {
  override name = "RetryLaterError";
  constructor(
    readonly status: 429 | 503,
    readonly retryAfterSeconds: number,
    message: string,
  ) {
    super(message);
  }
}
