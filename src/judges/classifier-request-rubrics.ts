import { BUILTIN_RUBRICS, loadRubric } from "./load-rubric.js";
import type { JudgeFormat } from "./rubric.js";

/** The formats whose judge is a classifier (a verdict, not a graded score): decision 0029. */
const CLASSIFIER_FORMATS: readonly JudgeFormat[] = ["llama-guard", "moderation"];

let classifierIds: ReadonlySet<string> | undefined;

/**
 * The ids of the built-in classifier rubrics (llama-guard, openai-moderation): their scores are a verdict mapped onto
 * the scale (two values), so reports compare them by that verdict and give them no rank correlation. Read once.
 */
export function builtinClassifierRubrics(): ReadonlySet<string> {
  classifierIds ??= new Set(BUILTIN_RUBRICS.filter((id) => CLASSIFIER_FORMATS.includes(loadRubric(id).rubric.format)));
  return classifierIds;
}
