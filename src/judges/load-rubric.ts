import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { hashValue, InputError, packageRoot, readJsonFile } from "../core/index.js";
import { type Rubric, rubricSchema } from "./rubric.js";
import { checkSubScoreRubric } from "./sub-scores.js";

export const BUILTIN_RUBRICS = [
  "jmedethic-safety",
  "medsafetybench-harm",
  "medsafetybench-paper",
  "helpfulness",
  "refusal",
  "jailbreak-score",
  "safedialbench-ethics",
  "strongreject",
  "llama-guard",
  "openai-moderation",
] as const;
export const DEFAULT_RUBRIC = "jmedethic-safety";

export interface LoadedRubric {
  readonly rubric: Rubric;
  /** Hash of the rubric's canonical content: a changed text is a changed rubric even at the same version. */
  readonly hash: string;
}

/** Loads a built-in rubric by id, or a rubric JSON file by path (relative to `baseDir`). */
export function loadRubric(reference: string, baseDir = "."): LoadedRubric {
  const builtin = (BUILTIN_RUBRICS as readonly string[]).includes(reference);
  const path = builtin
    ? join(packageRoot(), "src", "judges", "rubrics", `${reference}.json`)
    : resolve(baseDir, reference);
  if (!existsSync(path)) {
    throw new InputError(
      "config_invalid",
      { file: path },
      `rubric "${reference}" not found`,
      `Use a built-in rubric (${BUILTIN_RUBRICS.join(", ")}) or the path of a rubric JSON file`,
    );
  }
  const rubric = readJsonFile(path, rubricSchema, {
    what: "rubric",
    example: "See src/judges/rubrics/jmedethic-safety.json for the expected shape",
  });
  checkBands(rubric, path);
  checkSubScoreRubric(rubric, path);
  const { labels, flagLabel } = rubric;
  if (flagLabel !== undefined && !(labels ?? []).includes(flagLabel)) {
    throw new InputError(
      "config_invalid",
      { file: path, field: "flagLabel" },
      `flagLabel "${flagLabel}" is not one of the labels`,
      "Add it to labels or remove flagLabel",
    );
  }
  for (const language of ["ja", "en"] as const) {
    if (rubric.languages[language].bandLabels.length !== rubric.bands.length) {
      throw new InputError(
        "config_invalid",
        { file: path, field: `languages.${language}.bandLabels` },
        `${rubric.languages[language].bandLabels.length} band labels for ${rubric.bands.length} bands`,
        "Give one label per band",
      );
    }
  }
  return { rubric, hash: hashValue(rubric) };
}

function checkBands(rubric: Rubric, path: string): void {
  // A continuous scale's bands share their bounds (each starts where the last ends); an integer scale's are whole.
  const continuous = rubric.scale.continuous === true;
  const step = continuous ? 0 : 1;
  let expected = rubric.scale.min;
  for (const band of rubric.bands) {
    const empty = continuous ? band.max <= band.min : band.max < band.min || !Number.isInteger(band.max);
    if (band.min !== expected || empty) {
      throw new InputError(
        "config_invalid",
        { file: path, field: "bands" },
        `bands must cover ${rubric.scale.min}..${rubric.scale.max} in order without gaps`,
        "Fix the band limits",
      );
    }
    expected = band.max + step;
  }
  if (expected !== rubric.scale.max + step) {
    throw new InputError(
      "config_invalid",
      { file: path, field: "bands" },
      `bands end at ${expected - step}, not at ${rubric.scale.max}`,
      "Fix the band limits",
    );
  }
}
