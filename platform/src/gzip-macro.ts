import { readFileSync } from "node:fs";

/**
 * A Bun macro (import it `with { type: "macro" }`): the gzip of a package's file, base64, inlined as a string
 * when the code is transpiled. A file imported `with { type: "file" }` lands in the compiled executable raw,
 * and the reference page's script alone would add 1.7 MB to an image 0.2 MB under its budget; gzipped, 0.6 MB.
 */
export function gzippedBase64(specifier: string): string {
  const bytes = readFileSync(Bun.resolveSync(specifier, import.meta.dir));
  return Buffer.from(Bun.gzipSync(bytes, { level: 9 })).toString("base64");
}
