import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { developmentSigningSecret, loadConfig } from "./config.ts";

describe("loadConfig", () => {
  test("gives working local defaults", () => {
    expect(loadConfig({})).toMatchObject({
      PORT: 3001,
      KAFKA_BROKERS: ["127.0.0.1:9092"],
      MONGO_URL: "mongodb://127.0.0.1:27017/chirp_auth?directConnection=true&retryWrites=false",
      PUBLIC_APP_URL: "http://localhost:3000",
    });
  });

  test("names every bad variable in one readable error", () => {
    const message = (() => {
      try {
        loadConfig({ PORT: "seventy", MONGO_URL: "http://x", KAFKA_BROKERS: " , ", PUBLIC_APP_URL: "javascript:x" });
      } catch (error) {
        return (error as Error).message;
      }
    })();
    expect(message?.split("\n").sort()).toEqual([
      "  KAFKA_BROKERS: needs at least one broker",
      "  MONGO_URL: must be a mongodb:// or mongodb+srv:// URL",
      "  PORT: Invalid input: expected number, received NaN",
      "  PUBLIC_APP_URL: must be an http:// or https:// URL",
      "invalid configuration:",
    ]);
  });

  describe("in production, the signing secret", () => {
    const production = (secret?: string) => () => loadConfig({ NODE_ENV: "production", SIGNING_KEY_SECRET: secret });
    const exampleSecret = (() => {
      const manifest = readFileSync(new URL("../../deploy/k8s/secrets.example.yaml", import.meta.url), "utf8");
      return /^\s*SIGNING_KEY_SECRET:\s*(\S+)\s*$/m.exec(manifest)?.[1];
    })();

    test("is required, and a placeholder or uniform value is refused", () => {
      expect(exampleSecret).toStartWith("REPLACE");
      expect(production()).toThrow(/SIGNING_KEY_SECRET: is required when NODE_ENV=production/);
      expect(production(exampleSecret)).toThrow(/SIGNING_KEY_SECRET: is a placeholder/);
      expect(production(developmentSigningSecret)).toThrow(/SIGNING_KEY_SECRET: is a placeholder/);
      expect(production("a".repeat(40))).toThrow(/SIGNING_KEY_SECRET: is too uniform/);
    });

    test("accepts a random one, and development runs without one", () => {
      const random = Buffer.from(crypto.getRandomValues(new Uint8Array(36))).toString("base64");
      expect(production(random)().SIGNING_KEY_SECRET).toBe(random);
      expect(loadConfig({}).SIGNING_KEY_SECRET).toBeUndefined();
    });
  });
});
