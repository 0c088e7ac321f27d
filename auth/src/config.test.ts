import { describe, expect, test } from "bun:test";
import { loadConfig } from "./config.ts";

describe("loadConfig", () => {
  test("gives working local defaults", () => {
    expect(loadConfig({})).toMatchObject({
      PORT: 3001,
      KAFKA_BROKERS: ["127.0.0.1:9092"],
      MONGO_URL: "mongodb://127.0.0.1:27017/chirp_auth?directConnection=true&retryWrites=false",
    });
  });

  test("names every bad variable in one readable error", () => {
    const message = (() => {
      try {
        loadConfig({ PORT: "seventy", MONGO_URL: "http://x", KAFKA_BROKERS: " , " });
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(message?.split("\n").sort()).toEqual([
      "  KAFKA_BROKERS: needs at least one broker",
      "  MONGO_URL: must be a mongodb:// or mongodb+srv:// URL",
      "  PORT: Invalid input: expected number, received NaN",
      "invalid configuration:",
    ]);
  });
});
