import { describe, expect, test } from "bun:test";
import { retryAfterSeconds } from "./throttle.ts";

const now = 1_000_000_000;
const ago = (seconds: number) => new Date(now - seconds * 1000);
const window = 60_000;

describe("retryAfterSeconds", () => {
  test("is 0 while fewer than the limit failed within the window", () => {
    expect(retryAfterSeconds([ago(1), ago(2)], 3, window, now)).toBe(0);
  });

  test("ignores failures older than the window", () => {
    expect(retryAfterSeconds([ago(1), ago(2), ago(61)], 3, window, now)).toBe(0);
  });

  test("waits until the limit-th newest failure leaves the window", () => {
    expect(retryAfterSeconds([ago(1), ago(10), ago(20)], 3, window, now)).toBe(40);
    expect(retryAfterSeconds([ago(1), ago(10), ago(20), ago(30)], 3, window, now)).toBe(40);
  });

  test("never answers less than one second once throttled", () => {
    expect(retryAfterSeconds([ago(59.9)], 1, window, now)).toBe(1);
  });
});
