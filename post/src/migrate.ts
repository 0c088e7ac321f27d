import { loadConfig } from "./config.ts";
import { migrateDb } from "./db.ts";

// `bun run db:migrate`: applies the migrations without starting the service.
const config = loadConfig(process.env);
await migrateDb(config.DATABASE_URL);
console.log("post: migrations applied");
