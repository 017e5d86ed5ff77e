/**
 * The package as a library, as a user gets it: `npm pack` of the built package, the tarball unpacked as
 * node_modules/medsafety of a fresh TypeScript project, a program importing "medsafety" type-checked against the
 * shipped declarations with the repository's tsc, then run: a short evaluation against the fixture server through
 * `evaluate`, its report read back through `openResultStore`.
 *
 * The tarball's dependencies are linked from this repository's node_modules rather than installed: `npm install` of
 * the tarball would fetch or rebuild native packages (better-sqlite3, node-llama-cpp) from the network, which a CI
 * runner or an offline machine cannot be relied on for. What is tested is the package's own contents (files,
 * `exports`, `types`, the declarations and the compiled code), each of which a broken build would fail here.
 * Needs a built dist/ (`npm run build`, as `npm test` does first).
 */
import { execFile, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FixtureHandler, type FixtureServer, startFixtureServer } from "../../src/testing/index.js";

const execFileAsync = promisify(execFile);
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..", "..");

/** Targets answer with their name; judges give the safe target 9 (judge-a) and 7 (judge-b), the weak one 1. */
const handler: FixtureHandler = (request) => {
  if (!request.model.startsWith("grader-")) return { kind: "text", text: `[${request.model}] reply` };
  const prompt = request.messages.at(-1)?.content ?? "";
  const score = prompt.includes("[weak-model]") ? 1 : request.model === "grader-a" ? 9 : 7;
  return { kind: "json", value: { rationale: `${request.model} verdict`, score } };
};

const ITEMS = [
  {
    id: "lib-1",
    language: "en",
    guidelineId: "jma-10",
    strategy: "decomposition",
    seedRequest: "LIB-1",
    turns: ["LIB-1 a", "LIB-1 b"],
  },
  {
    id: "lib-2",
    language: "ja",
    guidelineId: "jma-17",
    strategy: "decomposition",
    seedRequest: "LIB-2",
    turns: ["LIB-2 一", "LIB-2 二"],
  },
];

/** The user's program: only the public entry, typed (tsc fails on a missing export or a wrong type). */
const PROGRAM = `import {
  type EvaluateResult,
  evaluate,
  InputError,
  MedsafetyError,
  openResultStore,
  REPORT_FORMAT_VERSION,
  type RunReport,
} from "medsafety";

const [baseURL = "", benchmark = "", store = ""] = process.argv.slice(2);
const model = (name: string) => ({ model: \`openai-compatible:\${name}\`, baseURL, retries: 0 });
const events: string[] = [];
const result: EvaluateResult = await evaluate({
  config: {
    benchmark,
    targets: [{ id: "safe", ...model("safe-model") }, { id: "weak", ...model("weak-model") }],
    judges: [{ id: "judge-a", ...model("grader-a") }, { id: "judge-b", ...model("grader-b") }],
    concurrency: 2,
  },
  env: {},
  store,
  on: { "run-end": (event) => events.push(event.status) },
});

let configError = "";
try {
  await evaluate({ config: { benchmark, targets: [], judges: [], colour: "red" }, env: {}, store });
} catch (error) {
  if (error instanceof InputError && error instanceof MedsafetyError) configError = \`\${error.code}: \${error.message}\`;
}

const results = openResultStore(result.storePath);
try {
  const report: RunReport = await results.report(result.runId);
  const json = JSON.parse(await results.render(result.runId, "json")) as { formatVersion: number; run: { id: string } };
  const markdown = await results.render(result.runId, "md", { lang: "en" });
  console.log(
    JSON.stringify({
      status: result.status,
      calls: result.health.calls,
      events,
      runs: results.runs().map((run) => run.id),
      runId: result.runId,
      targets: report.targets.map((target) => ({
        id: target.targetId,
        passRate: target.safetyPassRate,
        means: target.turns.map((turn) => turn.mean),
      })),
      formatVersion: json.formatVersion,
      libraryFormatVersion: REPORT_FORMAT_VERSION,
      jsonRunId: json.run.id,
      markdownTitle: markdown.split("\\n")[0],
      configError,
    }),
  );
} finally {
  results.close();
}
`;

/** Runs a child without blocking this process, whose fixture server must keep answering the child's calls. */
async function runAsync(command: string, args: readonly string[], cwd: string): Promise<string> {
  try {
    const { stdout } = await execFileAsync(command, [...args], { cwd, encoding: "utf8", env: { ...process.env } });
    return stdout;
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(" ")} exited ${failed.code}:\n${failed.stdout}\n${failed.stderr}`);
  }
}

function run(command: string, args: readonly string[], cwd: string): string {
  const result = spawnSync(command, args, { cwd, encoding: "utf8" });
  if (result.status !== 0)
    throw new Error(`${command} ${args.join(" ")} exited ${result.status}:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

/** Links a package of this repository's node_modules into the project's (`@scope/name` too). */
function link(project: string, name: string): void {
  const target = join(project, "node_modules", name);
  mkdirSync(dirname(target), { recursive: true });
  symlinkSync(join(ROOT, "node_modules", name), target, "dir");
}

describe("medsafety as a library (npm pack, installed in a fresh project)", () => {
  let folder: string;
  let server: FixtureServer;
  let packed: { files: { path: string }[]; filename: string };

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), "medsafety-library-"));
    server = await startFixtureServer({ handler });
    const [entry] = JSON.parse(
      run("npm", ["pack", "--json", "--ignore-scripts", "--pack-destination", folder], ROOT),
    ) as (typeof packed)[];
    if (entry === undefined) throw new Error("npm pack listed no package");
    packed = entry;
  }, 120_000);

  afterAll(async () => {
    await server?.close();
    if (folder !== undefined) rmSync(folder, { recursive: true, force: true });
  });

  it("ships the compiled code, its declarations and the data files, without tests, benches, fixtures or the test kit", () => {
    const paths = packed.files.map((file) => file.path);
    expect(paths).toEqual(
      expect.arrayContaining([
        "package.json",
        "bin/medsafety.js",
        "dist/src/index.js",
        "dist/src/index.d.ts",
        "dist/src/cli/main.js",
        "src/judges/rubrics/jmedethic-safety.json",
        "src/datasets/builtin/sample.jsonl",
      ]),
    );
    const unwanted = paths.filter((path) =>
      /^dist\/(?:test|bench)\/|^dist\/src\/testing\/|\.test\.|\.contract\.|^src\/analysis\/fixtures\/|\.ts$(?<!\.d\.ts$)/.test(
        path,
      ),
    );
    expect(unwanted).toEqual([]);
  });

  // tsc over the package's declarations takes a while on a busy 2-core machine.
  it("type-checks a program against the shipped declarations and runs an evaluation through the library API", {
    timeout: 300_000,
  }, async () => {
    const project = join(folder, "project");
    const installed = join(project, "node_modules", "medsafety");
    mkdirSync(installed, { recursive: true });
    run("tar", ["-xzf", join(folder, packed.filename), "-C", installed, "--strip-components=1"], folder);
    const manifest = JSON.parse(readFileSync(join(installed, "package.json"), "utf8")) as {
      dependencies: Record<string, string>;
    };
    for (const name of [...Object.keys(manifest.dependencies), "@types/node"]) link(project, name);
    writeFileSync(join(project, "package.json"), JSON.stringify({ name: "uses-medsafety", type: "module" }));
    writeFileSync(
      join(project, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: {
          target: "ES2022",
          module: "NodeNext",
          moduleResolution: "NodeNext",
          strict: true,
          exactOptionalPropertyTypes: true,
          skipLibCheck: true,
          types: ["node"],
          outDir: "out",
        },
        files: ["main.ts"],
      }),
    );
    writeFileSync(join(project, "main.ts"), PROGRAM);
    writeFileSync(join(project, "bench.jsonl"), `${ITEMS.map((item) => JSON.stringify(item)).join("\n")}\n`);

    run(process.execPath, [join(ROOT, "node_modules", "typescript", "bin", "tsc"), "-p", "tsconfig.json"], project);
    const printed = await runAsync(
      process.execPath,
      [join("out", "main.js"), server.openaiBaseURL, join(project, "bench.jsonl"), join(project, "results.db")],
      project,
    );
    const outcome = JSON.parse(printed) as Record<string, unknown>;

    expect(outcome).toMatchObject({
      status: "success",
      // 2 items × 2 turns × 2 targets, each turn judged twice.
      calls: 8 + 16,
      events: ["success"],
      runs: [outcome["runId"]],
      targets: [
        { id: "safe", passRate: 1, means: [8, 8] },
        { id: "weak", passRate: 0, means: [1, 1] },
      ],
      formatVersion: 1,
      libraryFormatVersion: 1,
      jsonRunId: outcome["runId"],
    });
    expect(outcome["markdownTitle"]).toMatch(/^# /);
    expect(outcome["configError"]).toBe(
      'config_invalid: the config object (field "colour"): unknown key "colour". Remove it or check its spelling; `medsafety schema` lists every allowed key',
    );
  });
});
