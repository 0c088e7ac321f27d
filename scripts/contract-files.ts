/** Reading and writing the committed JSON Schema snapshots (the I/O the pure gate in contracts/ leaves out). */

import { mkdir, readdir } from "node:fs/promises";
import { join } from "node:path";
import { eventJsonSchemas, type SchemaSet, snapshotDir, Topics } from "../contracts/src/index.ts";

export const repoRoot = new URL("..", import.meta.url).pathname;
const dir = (root: string) => join(root, snapshotDir);

/** The schemas of every event version as the code declares them now. */
export const currentSchemas = (): SchemaSet => eventJsonSchemas(Topics);

/** The committed snapshots by name (`user.registered.v1`); none when the folder does not exist yet. */
export async function readSnapshots(root = repoRoot): Promise<SchemaSet> {
  const names = await readdir(dir(root)).catch(() => [] as string[]);
  const entries = await Promise.all(
    names
      .filter((name) => name.endsWith(".json"))
      .map(async (name) => [name.slice(0, -".json".length), await Bun.file(join(dir(root), name)).json()] as const),
  );
  return Object.fromEntries(entries);
}

/** Writes the named snapshots, formatted the way the linter wants them so `biome check` stays clean. */
export async function writeSnapshots(schemas: SchemaSet, names: readonly string[], root = repoRoot) {
  if (names.length === 0) return [];
  await mkdir(dir(root), { recursive: true });
  const paths = names.map((name) => join(dir(root), `${name}.json`));
  await Promise.all(
    names.map((name, i) => Bun.write(paths[i] as string, `${JSON.stringify(schemas[name], null, 2)}\n`)),
  );
  await Bun.$`bunx biome format --write ${paths}`.cwd(root).quiet();
  return paths;
}
