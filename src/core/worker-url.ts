/**
 * The entry of a worker thread beside a module: the compiled `.js` file when the module runs from `dist/`, and, when it
 * runs from the TypeScript sources (Vitest), a small bootstrap that registers a loader hook (`.js` imports of a `.ts`
 * file resolved to the `.ts`, transpiled with TypeScript's `transpileModule`, no type check) and then imports the
 * `.ts` entry: a `new Worker(url)` loads files with Node's own loader, and `src/` holds no `.js`. The TypeScript
 * package is only needed in that second case (a development install). Node ≥ 20.6 (`module.register`).
 */
import { createRequire } from "node:module";
import { pathToFileURL } from "node:url";

const LOADER = `
let ts;
export async function initialize(data) {
  ts = (await import(data.typescript)).default;
}
export async function resolve(specifier, context, next) {
  try {
    return await next(specifier, context);
  } catch (error) {
    const fromSource = context.parentURL !== undefined && context.parentURL.endsWith(".ts");
    if (fromSource && specifier.endsWith(".js")) return next(specifier.slice(0, -3) + ".ts", context);
    throw error;
  }
}
export async function load(url, context, next) {
  if (!url.endsWith(".ts")) return next(url, context);
  const { readFile } = await import("node:fs/promises");
  const source = await readFile(new URL(url), "utf8");
  const output = ts.transpileModule(source, {
    fileName: url,
    compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
  });
  return { format: "module", source: output.outputText, shortCircuit: true };
}
`;

/** The worker entry `name` (without extension) beside the module at `moduleUrl` (its `import.meta.url`). */
export function workerEntryUrl(moduleUrl: string, name: string): URL {
  if (moduleUrl.endsWith(".ts")) return typescriptWorkerUrl(new URL(`./${name}.ts`, moduleUrl));
  return new URL(`./${name}.js`, moduleUrl);
}

/** A `data:` URL a `Worker` can start with: it registers the TypeScript loader, then imports `entry` (a `.ts` file). */
export function typescriptWorkerUrl(entry: URL): URL {
  const typescript = pathToFileURL(createRequire(import.meta.url).resolve("typescript")).href;
  const bootstrap = [
    'import { register } from "node:module";',
    `register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(LOADER)}`)}, { data: { typescript: ${JSON.stringify(typescript)} } });`,
    `await import(${JSON.stringify(entry.href)});`,
  ].join("\n");
  return new URL(`data:text/javascript,${encodeURIComponent(bootstrap)}`);
}
