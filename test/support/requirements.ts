/**
 * What some tests need from the machine (Chromium, the shared MedSafetyBench data, the tiny GGUF models) and what
 * happens when it is missing: outside CI the suite skips them and prints why; in CI (`CI=true`) a missing
 * requirement fails the suite, so a skip can never hide there.
 */
import { existsSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** `../shared` beside the checkout: data and models every developer and CI run has. */
export const SHARED = resolve(REPO_ROOT, "../shared");
export const SHARED_MEDSAFETYBENCH = join(SHARED, "data/medsafetybench");
export const SHARED_MODELS = join(SHARED, "models");
export const CHROMIUM_PATH = process.env["CHROMIUM_PATH"] ?? "/usr/bin/chromium";

/** True when this run is CI (`CI` set to anything but "" / "0" / "false"). */
export function inCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const value = env["CI"]?.trim().toLowerCase();
  return value !== undefined && value !== "" && value !== "0" && value !== "false";
}

export interface Requirement {
  /** What is needed, e.g. "Chromium". */
  readonly what: string;
  /** Where it was looked for. */
  readonly path: string;
  /** How to get it. */
  readonly fix: string;
}

/**
 * Returns true when the tests needing `requirement` must be skipped (it is missing and this is not CI), after
 * printing why. In CI a missing requirement throws, which fails the test file.
 */
export function skipWithout(
  requirement: Requirement,
  present = existsSync(requirement.path),
  env: NodeJS.ProcessEnv = process.env,
  say: (line: string) => void = (line) => process.stderr.write(`${line}\n`),
): boolean {
  if (present) return false;
  const message = `${requirement.what} not found at ${requirement.path}: ${requirement.fix}`;
  if (inCi(env)) throw new Error(`Required in CI (CI=${env["CI"] ?? ""}): ${message}`);
  say(`SKIPPED tests: ${message}`);
  return true;
}

export const CHROMIUM: Requirement = {
  what: "Chromium (browser tests)",
  path: CHROMIUM_PATH,
  fix: "install Debian's chromium and fonts-noto-cjk (`sudo apt-get install chromium fonts-noto-cjk`, as .ci/run does) or set CHROMIUM_PATH",
};

export const MEDSAFETYBENCH_DATA: Requirement = {
  what: "MedSafetyBench data (../shared/data/medsafetybench)",
  path: join(SHARED_MEDSAFETYBENCH, "datasets"),
  fix: "check out the project with ../shared beside it (the data is loaded by path, never committed)",
};

/** One of the tiny GGUF models in ../shared/models. */
export function sharedModel(file: string): Requirement {
  return {
    what: `the tiny GGUF model ${file}`,
    path: join(SHARED_MODELS, file),
    fix: "check out the project with ../shared beside it (models are loaded by path, never committed)",
  };
}
