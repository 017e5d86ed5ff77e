import type { BoundRefusalJudge } from "../config/index.js";
import type { RefusalClassifier } from "../generation/index.js";
import { buildJudgeRequest, parseVerdict } from "../judges/index.js";

/**
 * The refusal classifier of `filter seeds`, composed here because it joins two domains of the same layer:
 * generation (the filter) and judges (rubric request + verdict parsing). A verdict that is not valid (no JSON, a
 * missing label, a score out of range) is a validation failure: asked again, then recorded and reported as unscored.
 */
export function refusalClassifier(judge: BoundRefusalJudge): RefusalClassifier {
  const { rubric } = judge.rubric;
  return {
    model: judge,
    rubricHash: judge.rubric.hash,
    rubricRef: `${rubric.id}@${rubric.version}`,
    request: (seed, answer) => ({
      ...buildJudgeRequest(rubric, {
        language: seed.language,
        turnIndex: 0,
        conversation: [
          { role: "user", content: seed.request },
          { role: "assistant", content: answer },
        ],
      }),
      temperature: judge.sampling.temperature ?? 0,
    }),
    parse: (text) => {
      const verdict = parseVerdict(text, rubric);
      if (verdict.status === "unscored") return { ok: false, problem: `${verdict.reason}: ${verdict.detail}` };
      return { ok: true, value: { label: verdict.label ?? "", rationale: verdict.rationale } };
    },
  };
}
