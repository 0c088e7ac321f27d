/** `bun auth/src/rotate-keys.ts`: makes a new current signing key now (e.g. after a suspected leak). */
import { createLogger } from "@chirp/platform/logger";
import { MongoClient } from "mongodb";
import { loadConfig } from "./config.ts";
import { ensureIndexes } from "./db.ts";
import { openKeyRing } from "./main.ts";

const config = loadConfig(process.env);
const logger = createLogger("auth-rotate-keys", config.LOG_LEVEL);
const mongo = await MongoClient.connect(config.MONGO_URL, { serverSelectionTimeoutMS: 3000 });
try {
  await ensureIndexes(mongo.db());
  const keys = await openKeyRing(mongo.db(), config, logger);
  await keys.rotate();
  const { kid } = await keys.signingKey();
  logger.info({ kid }, "rotated: new tokens are signed with this key; instances pick it up within a minute");
} finally {
  await mongo.close();
}
