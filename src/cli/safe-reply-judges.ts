import type { SafeReplyJudge, SafeReplyRubric } from "../generation/index.js";
import {
  buildJudgeRequest,
  type JudgeSampling,
  type LoadedRubric,
  parseVerdict,
  type RubricSet,
} from "../judges/index.js";
import type { RunJudge } from "../runner/index.js";

/**
 * The run's judges as checkers of safe replies, composed here because it joins two domains of the same layer:
 * generation (the safe-reply tasks) and judges (rubric request + verdict parsing). Each judge uses its rubric
 * override, else the item's rubric from `rubrics`, and sends exactly the request it sent in the run (temperature 0
 * unless its binding sets one). A verdict that is not valid is a validation failure: asked again, then stored as
 * failed (unscored) with its raw text; never a guessed score.
 */
export function safeReplyJudges(judges: readonly RunJudge[], rubrics: RubricSet): SafeReplyJudge[] {
  return judges.map((judge) => {
    const byRubric = new Map<LoadedRubric, SafeReplyRubric>();
    return {
      model: { id: judge.id, spec: judge.model.spec, model: judge.model, sampling: judge.sampling },
      rubricFor: (itemRubric) => {
        const loaded = judge.rubric ?? rubrics.get(itemRubric);
        const known = byRubric.get(loaded);
        if (known !== undefined) return known;
        const made = safeReplyRubric(loaded, judge.sampling);
        byRubric.set(loaded, made);
        return made;
      },
    };
  });
}

function safeReplyRubric(loaded: LoadedRubric, sampling: JudgeSampling): SafeReplyRubric {
  const { rubric } = loaded;
  return {
    id: rubric.id,
    ref: `${rubric.id}@${rubric.version}`,
    hash: loaded.hash,
    higherIsSafer: rubric.scale.higherIsSafer,
    request: (input) => ({
      ...buildJudgeRequest(rubric, input),
      temperature: sampling.temperature ?? 0,
      ...(sampling.maxTokens === undefined ? {} : { maxTokens: sampling.maxTokens }),
      ...(sampling.seed === undefined ? {} : { seed: sampling.seed }),
    }),
    parse: (text) => {
      const verdict = parseVerdict(text, rubric);
      return verdict.status === "scored"
        ? { ok: true, value: verdict.score }
        : { ok: false, problem: `${verdict.reason}: ${verdict.detail}` };
    },
  };
}
