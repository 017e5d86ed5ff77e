import { MedsafetyError } from "../core/index.js";
import type { ChatRequest } from "../providers/index.js";
import { buildLlamaGuardRequest, buildModerationRequest } from "./classifier-request.js";
import { buildJudgeRequest, type JudgeInput } from "./judge-prompt.js";
import { parseLlamaGuard } from "./parse-llama-guard.js";
import { parseModeration } from "./parse-moderation.js";
import { parseScoreLine } from "./parse-score-line.js";
import { parseVerdict, type Verdict } from "./parse-verdict.js";
import type { Rubric } from "./rubric.js";
import { buildScoreLineRequest } from "./score-line-request.js";

/**
 * The one place a rubric's `format` chooses how a judge is asked and how its answer is read (see `JUDGE_FORMATS`).
 * Each format's request and parser live in their own files; this only dispatches.
 */
export function judgeRequestFor(rubric: Rubric, input: JudgeInput): ChatRequest {
  switch (rubric.format) {
    case "json":
      return buildJudgeRequest(rubric, input);
    case "score-line":
      return buildScoreLineRequest(rubric, input);
    case "llama-guard":
      return buildLlamaGuardRequest(input);
    case "moderation":
      return buildModerationRequest(input);
    default:
      throw unsupported(rubric);
  }
}

/** Reads a judge's raw answer with the rubric's format: a score, or `unscored` with the reason, never a guess. */
export function readJudgeAnswer(rawText: string, rubric: Rubric): Verdict {
  switch (rubric.format) {
    case "json":
      return parseVerdict(rawText, rubric);
    case "score-line":
      return parseScoreLine(rawText, rubric);
    case "llama-guard":
      return parseLlamaGuard(rawText, rubric);
    case "moderation":
      return parseModeration(rawText, rubric);
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
