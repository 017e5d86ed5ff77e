import { type DiscoveryScorer, fillTemplate } from "../generation/index.js";
import { type LoadedRubric, parseVerdict, verdictSchema } from "../judges/index.js";

/** The built-in scorer rubric of `discover` (src/judges/rubrics/jailbreak-score.json, 1-10). */
export const DISCOVERY_SCORER_RUBRIC = "jailbreak-score";

/**
 * The discovery scorer from a rubric (data): its system text and template ({{request}}, {{user}} = the attempt,
 * {{response}}), structured output with the rubric's verdict schema, and verdict parsing that never guesses a score
 * (an answer that is not a verdict on the scale is asked again, then recorded as failed). Laid out as the judges'
 * requests are (decision 0018): the rubric's constant system text first, marked cacheable, the attempt after it.
 */
export function rubricScorer(loaded: LoadedRubric): DiscoveryScorer {
  const { rubric } = loaded;
  return {
    ref: `${rubric.id}@${rubric.version}`,
    hash: loaded.hash,
    request: (language, values) => ({
      system: rubric.languages[language].system,
      cacheSystemPrompt: true,
      messages: [
        {
          role: "user",
          content: fillTemplate(rubric.languages[language].template, {
            request: values.request,
            user: values.prompt,
            response: values.response,
          }),
        },
      ],
      responseSchema: { name: "verdict", schema: verdictSchema(rubric) },
    }),
    parse: (text) => {
      const verdict = parseVerdict(text, rubric);
      return verdict.status === "scored"
        ? { ok: true, value: { score: verdict.score, rationale: verdict.rationale } }
        : { ok: false, problem: `${verdict.reason}: ${verdict.detail}` };
    },
  };
}
