/**
 * `bun run contracts:check`, the compatibility gate CI runs: the current event schemas against the committed
 * snapshots. Exits 1 with one message per problem (event, field path, rule, what to do).
 * An optional argument names another repository root whose snapshots to read (the gate's own test uses it).
 */

import { checkContracts } from "../contracts/src/index.ts";
import { currentSchemas, readSnapshots } from "./contract-files.ts";

const current = currentSchemas();
const problems = checkContracts(current, await readSnapshots(process.argv[2]));
if (problems.length > 0) {
  console.error(`contracts:check failed (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n`);
  for (const problem of problems) console.error(`${problem.message}\n`);
  process.exit(1);
}
console.log(`contracts:check passed: ${Object.keys(current).length} event versions match their snapshots`);
