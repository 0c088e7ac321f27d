/**
 * `bun run contracts:snapshot`: writes contracts/schemas/<type>.v<version>.json for every event version that
 * is new or changed compatibly. A breaking change is refused (the gate would fail on it anyway): publish a
 * new version instead.
 */

import { planSnapshots } from "../contracts/src/index.ts";
import { currentSchemas, readSnapshots, repoRoot, writeSnapshots } from "./contract-files.ts";

const current = currentSchemas();
const { write, refused } = planSnapshots(current, await readSnapshots());
const paths = await writeSnapshots(current, write);
for (const path of paths) console.log(`wrote ${path.replace(repoRoot, "")}`);
for (const problem of refused) console.error(`refused: ${problem.message}\n`);
if (paths.length === 0 && refused.length === 0) console.log("snapshots are up to date");
process.exit(refused.length > 0 ? 1 : 0);
