/**
 * Dependency direction (docs/architecture.md): a domain folder under src/ imports only its own files and
 * folders of lower layers, and another folder only through that folder's index.ts.
 */
import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const SRC = resolve(dirname(fileURLToPath(import.meta.url)), "..", "src");

/** Layers, low to high. */
const LAYERS: Readonly<Record<string, number>> = {
  core: 0,
  guidelines: 1,
  datasets: 1,
  providers: 1,
  store: 1,
  generation: 2,
  judges: 2,
  analysis: 2,
  runner: 3,
  report: 3,
  config: 4,
  view: 4,
  cli: 5,
};

/** One relative import of a source file: where it is, what it names, and where that resolves. */
interface ImportEdge {
  /** Path of the importing file, relative to src/, with "/" separators. */
  readonly file: string;
  readonly specifier: string;
  /** Path of the imported file relative to src/ ("../x" when outside src/). */
  readonly target: string;
}

function toPosix(path: string): string {
  return path.split(sep).join("/");
}

/** Files the build leaves out (tests and shared test suites) are not product code. */
function isTestFile(path: string): boolean {
  return path.endsWith(".test.ts") || path.endsWith(".contract.ts");
}

function sourceFiles(folder: string): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".d.ts") && !isTestFile(entry.name) ? [path] : [];
  });
}

/** Relative imports and re-exports (static and dynamic) of one file, found by the TypeScript scanner. */
function importsOf(path: string): ImportEdge[] {
  const info = ts.preProcessFile(readFileSync(path, "utf8"), true, true);
  return info.importedFiles
    .map((reference) => reference.fileName)
    .filter((specifier) => specifier.startsWith("."))
    .map((specifier) => ({
      file: toPosix(relative(SRC, path)),
      specifier,
      target: toPosix(relative(SRC, resolve(dirname(path), specifier))),
    }));
}

function folderOf(srcRelativePath: string): string {
  return srcRelativePath.split("/")[0] ?? "";
}

/** Every broken rule, as a readable line. */
function violations(edges: readonly ImportEdge[]): string[] {
  const problems: string[] = [];
  for (const edge of edges) {
    const from = folderOf(edge.file);
    const fromLayer = LAYERS[from];
    if (fromLayer === undefined) {
      problems.push(`${edge.file}: folder "${from}" has no layer; add it to LAYERS in test/architecture.test.ts`);
      continue;
    }
    if (edge.target.startsWith("../")) {
      problems.push(`${edge.file}: imports "${edge.specifier}" from outside src/`);
      continue;
    }
    const to = folderOf(edge.target);
    if (to === from) continue;
    const toLayer = LAYERS[to];
    if (toLayer === undefined)
      problems.push(`${edge.file}: imports "${edge.specifier}" from folder "${to}", which has no layer`);
    else if (toLayer >= fromLayer)
      problems.push(
        `${edge.file}: ${from} (layer ${fromLayer}) imports ${to} (layer ${toLayer}) via "${edge.specifier}"`,
      );
    if (edge.target !== `${to}/index.js`)
      problems.push(`${edge.file}: imports "${edge.specifier}" instead of "${to}/index.js"`);
  }
  return problems;
}

const EDGES = sourceFiles(SRC).flatMap(importsOf);

describe("architecture", () => {
  it("finds the imports it checks", () => {
    expect(EDGES.length).toBeGreaterThan(50);
    expect(EDGES).toContainEqual({
      file: "runner/run-conversation.ts",
      specifier: "../judges/index.js",
      target: "judges/index.js",
    });
    expect(EDGES).toContainEqual({
      file: "cli/commands/run.ts",
      specifier: "../../config/index.js",
      target: "config/index.js",
    });
  });

  it("gives every folder under src/ a layer", () => {
    const folders = readdirSync(SRC, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
    expect(folders.filter((folder) => LAYERS[folder] === undefined)).toEqual([]);
  });

  it("imports only from the same folder or lower layers, and other folders only through index.ts", () => {
    expect(violations(EDGES)).toEqual([]);
  });

  it("would report an upward import, a same-layer import, a deep import and an import from outside src/", () => {
    const edge = (file: string, specifier: string): ImportEdge => ({
      file,
      specifier,
      target: toPosix(relative(SRC, resolve(SRC, dirname(file), specifier))),
    });
    expect(
      violations([
        edge("core/ids.ts", "../store/index.js"),
        edge("store/database.ts", "../datasets/index.js"),
        edge("runner/run-benchmark.ts", "../store/database.js"),
        edge("providers/retry.ts", "../../test/support/fixture-server.js"),
        edge("runner/attack.ts", "./events.js"),
        edge("cli/main.ts", "../core/index.js"),
      ]),
    ).toEqual([
      'core/ids.ts: core (layer 0) imports store (layer 1) via "../store/index.js"',
      'store/database.ts: store (layer 1) imports datasets (layer 1) via "../datasets/index.js"',
      'runner/run-benchmark.ts: imports "../store/database.js" instead of "store/index.js"',
      'providers/retry.ts: imports "../../test/support/fixture-server.js" from outside src/',
    ]);
  });
});
