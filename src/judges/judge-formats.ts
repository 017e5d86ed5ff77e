import { MedsafetyError } from "../core/index.js";
import type { ChatRequest } from "../providers/index.js";
import { buildJudgeRequest, type JudgeInput } from "./judge-prompt.js";
import { parseVerdict, type Verdict } from "./parse-verdict.js";
import type { Rubric } from "./rubric.js";

/**
 * The one place a rubric's `format` chooses how a judge is asked and how its answer is read (see `JUDGE_FORMATS`).
 * Each format's request and parser live in their own files; this only dispatches.
 */
export function judgeRequestFor(rubric: Rubric, input: JudgeInput): ChatRequest {
  switch (rubric.format) {
    case "json":
      return buildJudgeRequest(rubric, input);
    default:
      throw unsupported(rubric);
  }
}

/** Reads a judge's raw answer with the rubric's format: a score, or `unscored` with the reason, never a guess. */
export function readJudgeAnswer(rawText: string, rubric: Rubric): Verdict {
  switch (rubric.format) {
    case "json":
      return parseVerdict(rawText, rubric);
    default:
      throw unsupported(rubric);
  }
}

function unsupported(rubric: Rubric): MedsafetyError {
  return new MedsafetyError(
    "config_invalid",
    `Rubric ${rubric.id} has format ${rubric.format}, which this version of medsafety cannot read; use a rubric of format json.`,
  );
}
