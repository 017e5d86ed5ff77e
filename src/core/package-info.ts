import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

let cachedRoot: string | undefined;

/**
 * The folder of medsafety's own package.json, found by walking up from this module, so data files shipped in
 * `src/` are found both when running the sources and the compiled `dist/`.
 */
export function packageRoot(): string {
  if (cachedRoot !== undefined) return cachedRoot;
  let folder = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(folder, "package.json");
    if (
      existsSync(candidate) &&
      (JSON.parse(readFileSync(candidate, "utf8")) as { name?: string }).name === "medsafety"
    ) {
      cachedRoot = folder;
      return folder;
    }
    const parent = dirname(folder);
    if (parent === folder) throw new Error("medsafety: cannot find the package root (package.json named medsafety)");
    folder = parent;
  }
}

/** medsafety's version from package.json, recorded in every run. */
export function packageVersion(): string {
  const manifest = JSON.parse(readFileSync(join(packageRoot(), "package.json"), "utf8")) as { version: string };
  return manifest.version;
}
