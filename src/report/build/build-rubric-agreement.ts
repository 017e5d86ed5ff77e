import { PairAgreementAccumulator } from "../../analysis/index.js";
import { DEFAULT_RUBRIC } from "../../judges/index.js";
import { type Db, type RubricReference, type RunRecord, scoredJudgmentsByTurn } from "../../store/index.js";
import type { JudgeAgreement } from "../model/agreement-model.js";
import type { JudgePairSummary } from "../model/report-model.js";
import { AgreementSummary } from "./build-agreement.js";
import { rubricsUsed } from "./build-scale-summary.js";

/** One turn scored under a rubric: where it is, and each judge's score. */
export interface ScoredTurn {
  readonly targetId: string;
  readonly itemId: string;
  readonly turnIndex: number;
  readonly language: string;
  readonly strategy: string;
  readonly scores: Map<string, number>;
}

/**
 * Agreement across two rubrics that share a scale (decision 0027): e.g. a judge on `medsafetybench-paper` (the
 * official evaluation's structure, a `#score:` line) and one on `medsafetybench-harm` (structured output), both on
 * MedSafetyBench's 1–5 harmfulness scale, scoring the same turns. `buildAgreement` compares judges within one rubric
 * only, so judges on different rubric ids are never set side by side there; here each pair of rubrics with the same
 * scale (min, max, direction) gets one `JudgeAgreement` (its `rubricId` names both, `acrossRubrics` lists them) whose
 * raters are the judges of both rubrics, named `judge (rubric)`, over the turns any of them scored, and one
 * `JudgePairSummary` per judge of the first rubric × judge of the second. Pairs without a turn in common are left out.
 *
 * The multi-turn rubric is left out (its judges are compared in `buildAgreement`, and across rubrics of other scales
 * by the panel agreement). Both rubrics' scored turns are held in memory, keyed by turn: O(turns of the two rubrics).
 */
export function buildRubricAgreement(
  db: Db,
  run: RunRecord,
  disagreementThreshold: number,
): { agreement: JudgeAgreement[]; pairs: JudgePairSummary[] } {
  const rubrics = rubricsUsed(db, run)
    .filter((id) => id !== DEFAULT_RUBRIC)
    .sort()
    .flatMap((id) => {
      const reference = run.rubrics.find((rubric) => rubric.id === id);
      return reference?.scale === undefined ? [] : [reference];
    });
  const agreement: JudgeAgreement[] = [];
  const pairs: JudgePairSummary[] = [];
  const loaded = new Map<string, Map<string, ScoredTurn>>();
  const turnsOf = (rubricId: string): Map<string, ScoredTurn> => {
    let turns = loaded.get(rubricId);
    if (turns === undefined) {
      turns = scoredTurns(db, run.id, rubricId);
      loaded.set(rubricId, turns);
    }
    return turns;
  };
  for (const [index, first] of rubrics.entries()) {
    for (const second of rubrics.slice(index + 1)) {
      if (!sameScale(first, second)) continue;
      const compared = compareRubrics(first, second, turnsOf(first.id), turnsOf(second.id), disagreementThreshold);
      if (compared === undefined) continue;
      agreement.push(compared.agreement);
      pairs.push(...compared.pairs);
    }
  }
  return { agreement, pairs };
}

/** Two rubrics can be compared when their scales match: same min, max and direction. */
export function sameScale(first: RubricReference, second: RubricReference): boolean {
  const a = first.scale;
  const b = second.scale;
  return (
    a !== undefined && b !== undefined && a.min === b.min && a.max === b.max && a.higherIsSafer === b.higherIsSafer
  );
}

/** The two rubrics' judges as raters of one scale, over their turns by key; undefined without a turn in common. */
export function compareRubrics(
  first: RubricReference,
  second: RubricReference,
  firstTurns: ReadonlyMap<string, ScoredTurn>,
  secondTurns: ReadonlyMap<string, ScoredTurn>,
  disagreementThreshold: number,
): { agreement: JudgeAgreement; pairs: JudgePairSummary[] } | undefined {
  if (![...firstTurns.keys()].some((key) => secondTurns.has(key))) return undefined;
  const firstJudges = judgesOf(firstTurns);
  const secondJudges = judgesOf(secondTurns);
  const raters = [
    ...firstJudges.map((judge) => rater(judge, first.id)),
    ...secondJudges.map((judge) => rater(judge, second.id)),
  ];
  const scale = first.scale;
  const continuous = scale?.continuous === true;
  const summary = new AgreementSummary(raters, continuous ? undefined : scale);
  const pairAccumulators = firstJudges.flatMap((a, column) =>
    secondJudges.map((b, offset) => ({
      columns: [column, firstJudges.length + offset] as const,
      judges: [raters[column] ?? a, raters[firstJudges.length + offset] ?? b] as const,
      accumulator: new PairAgreementAccumulator(disagreementThreshold),
    })),
  );
  const scores = new Float64Array(raters.length);
  const keys = new Set([...firstTurns.keys(), ...secondTurns.keys()]);
  for (const key of [...keys].sort()) {
    const a = firstTurns.get(key);
    const b = secondTurns.get(key);
    const turn = (a ?? b) as ScoredTurn;
    firstJudges.forEach((judge, column) => {
      scores[column] = a?.scores.get(judge) ?? Number.NaN;
    });
    secondJudges.forEach((judge, offset) => {
      scores[firstJudges.length + offset] = b?.scores.get(judge) ?? Number.NaN;
    });
    summary.add(
      scores,
      [summary.group("language", turn.language), summary.group("strategy", turn.strategy)],
      () => turn,
    );
    for (const { columns, accumulator } of pairAccumulators) {
      const x = scores[columns[0]] ?? Number.NaN;
      const y = scores[columns[1]] ?? Number.NaN;
      if (!Number.isNaN(x) && !Number.isNaN(y)) accumulator.add(x, y);
    }
  }
  const label = `${first.id} × ${second.id}`;
  return {
    agreement: { ...summary.result(label), acrossRubrics: [first.id, second.id] },
    pairs: pairAccumulators.map(({ judges, accumulator }) => ({
      judges,
      rubricId: label,
      threshold: disagreementThreshold,
      ...accumulator.result(),
    })),
  };
}

function rater(judge: string, rubricId: string): string {
  return `${judge} (${rubricId})`;
}

function judgesOf(turns: ReadonlyMap<string, ScoredTurn>): string[] {
  const judges = new Set<string>();
  for (const turn of turns.values()) for (const judge of turn.scores.keys()) judges.add(judge);
  return [...judges].sort();
}

function scoredTurns(db: Db, runId: string, rubricId: string): Map<string, ScoredTurn> {
  const turns = new Map<string, ScoredTurn>();
  for (const [key, judgeId, score, targetId, itemId, turnIndex, language, strategy] of scoredJudgmentsByTurn(
    db,
    runId,
    rubricId,
  )) {
    let turn = turns.get(key);
    if (turn === undefined) {
      turn = { targetId, itemId, turnIndex, language, strategy, scores: new Map() };
      turns.set(key, turn);
    }
    turn.scores.set(judgeId, score);
  }
  return turns;
}
