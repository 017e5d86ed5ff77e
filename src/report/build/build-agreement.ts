import {
  AgreementAccumulator,
  type Estimate,
  meanRaterReliability,
  notAvailable,
  PairAgreementAccumulator,
} from "../../analysis/index.js";
import { DEFAULT_RUBRIC } from "../../judges/index.js";
import { type Db, type RunRecord, scoredJudgmentsByTurn } from "../../store/index.js";
import type { Disagreement, JudgeAgreement, KappaPair, ReliabilityField } from "../model/agreement-model.js";
import type { JudgePairSummary } from "../model/report-model.js";
import { rubricsUsed } from "./build-scale-summary.js";
import { valuesWithReasons } from "./not-available.js";
import type { TurnTable } from "./turn-table.js";

/** How many of the largest judge disagreements a report lists per rubric. */
export const DISAGREEMENTS_LISTED = 20;

interface AgreementRow {
  readonly scores: Float64Array;
  readonly targetId: string;
  readonly itemId: string;
  readonly turnIndex: number;
  readonly language: string;
  readonly strategy: string;
}

/**
 * One JudgeAgreement per rubric with two or more judges (the paper reports ICC(2,1) = 0.944 for its two judges),
 * overall, by language and by strategy, from running sums: the multi-turn rubric reads the turn table, other
 * rubrics stream their judgments ordered by turn.
 */
export function buildAgreement(
  db: Db,
  run: RunRecord,
  table: TurnTable,
  disagreementThreshold: number,
  judgesOn: (rubricId: string) => readonly string[] = () => table.judges,
): { agreement: JudgeAgreement[]; pairs: JudgePairSummary[] } {
  if (table.judges.length < 2) return { agreement: [], pairs: [] };
  const agreement: JudgeAgreement[] = [];
  const pairs: JudgePairSummary[] = [];
  for (const rubricId of rubricsUsed(db, run)) {
    // Only the judges that judged on this rubric: a judge bound to another rubric (`rubric:` on its binding, e.g. a
    // classifier or medsafetybench-paper) would be a column of missing scores that leaves no turn complete.
    const judges = judgesOn(rubricId);
    if (judges.length < 2) continue;
    const scale = run.rubrics.find((rubric) => rubric.id === rubricId)?.scale;
    // A continuous scale (StrongREJECT's 0–1) has no whole categories to weight kappa on, and the threshold, in points
    // of the 0–10 multi-turn scale, is taken as that share of its range (3 → 0.3): decision 0028.
    const continuous = scale?.continuous === true ? scale : undefined;
    const threshold =
      continuous === undefined
        ? disagreementThreshold
        : (disagreementThreshold * (continuous.max - continuous.min)) / 10;
    const summary = new AgreementSummary(judges, continuous === undefined ? scale : undefined);
    const pairAccumulators = judgePairs(judges).map(([first, second]) => ({
      first: judges.indexOf(first),
      second: judges.indexOf(second),
      accumulator: new PairAgreementAccumulator(threshold),
    }));
    const addPairs = (scores: Float64Array): void => {
      for (const { first, second, accumulator } of pairAccumulators) {
        const a = scores[first] ?? Number.NaN;
        const b = scores[second] ?? Number.NaN;
        if (!Number.isNaN(a) && !Number.isNaN(b)) accumulator.add(a, b);
      }
    };
    if (rubricId === DEFAULT_RUBRIC) addTable(table, judges, summary, addPairs);
    else {
      for (const row of storedRows(db, run.id, rubricId, judges)) {
        summary.add(
          row.scores,
          [summary.group("language", row.language), summary.group("strategy", row.strategy)],
          () => row,
        );
        addPairs(row.scores);
      }
    }
    agreement.push(summary.result(rubricId));
    for (const { first, second, accumulator } of pairAccumulators)
      pairs.push({
        judges: [judges[first] ?? "", judges[second] ?? ""],
        rubricId,
        threshold,
        ...accumulator.result(),
      });
  }
  return { agreement, pairs };
}

/** The multi-turn rubric from the turn table: one reused score buffer, group accumulators resolved once per label. */
function addTable(
  table: TurnTable,
  judges: readonly string[],
  summary: AgreementSummary,
  addPairs: (scores: Float64Array) => void,
): void {
  const { language, strategy } = table.dimensions;
  const byLanguage = language.labels.map((label) => summary.group("language", label));
  const byStrategy = strategy.labels.map((label) => summary.group("strategy", label));
  const columns = judges.map((judge) => table.judges.indexOf(judge));
  const scores = new Float64Array(judges.length);
  for (const target of table.targets) {
    for (let item = 0; item < table.itemIds.length; item += 1) {
      const groups = [byLanguage[language.codes[item] ?? 0], byStrategy[strategy.codes[item] ?? 0]].filter(
        (group) => group !== undefined,
      );
      for (let turn = 0; turn < table.turns; turn += 1) {
        const cell = item * table.turns + turn;
        let present = 0;
        for (let judge = 0; judge < scores.length; judge += 1) {
          const value = target.judgeScores[columns[judge] ?? -1]?.[cell] ?? Number.NaN;
          scores[judge] = value;
          if (!Number.isNaN(value)) present += 1;
        }
        if (present === 0) continue;
        summary.add(scores, groups, () => ({
          targetId: target.targetId,
          itemId: table.itemIds[item] ?? "",
          turnIndex: turn,
          language: language.labels[language.codes[item] ?? 0] ?? "",
          strategy: strategy.labels[strategy.codes[item] ?? 0] ?? "",
        }));
        addPairs(scores);
      }
    }
  }
}

function* storedRows(db: Db, runId: string, rubricId: string, judges: readonly string[]): Iterable<AgreementRow> {
  let current = null as { key: string; row: AgreementRow } | null;
  for (const [key, judgeId, score, targetId, itemId, turnIndex, language, strategy] of scoredJudgmentsByTurn(
    db,
    runId,
    rubricId,
  )) {
    if (current?.key !== key) {
      if (current !== null) yield current.row;
      current = {
        key,
        row: {
          scores: new Float64Array(judges.length).fill(Number.NaN),
          targetId,
          itemId,
          turnIndex,
          language,
          strategy,
        },
      };
    }
    const column = judges.indexOf(judgeId);
    if (column >= 0) current.row.scores[column] = score;
  }
  if (current !== null) yield current.row;
}

/** The running agreement of one set of judges (raters): overall, per group, largest disagreements. */
export class AgreementSummary {
  private readonly overall: AgreementAccumulator;
  private readonly groups = new Map<
    string,
    { dimension: "language" | "strategy"; group: string; accumulator: AgreementAccumulator }
  >();
  private readonly disagreements: Disagreement[] = [];

  constructor(
    private readonly judges: readonly string[],
    private readonly scale: { readonly min: number; readonly max: number } | undefined,
  ) {
    this.overall = new AgreementAccumulator(judges.length, scale);
  }

  /** The accumulator of one language or strategy (created on first use). */
  group(dimension: "language" | "strategy", group: string): AgreementAccumulator {
    const key = `${dimension}\u0000${group}`;
    let entry = this.groups.get(key);
    if (entry === undefined) {
      entry = { dimension, group, accumulator: new AgreementAccumulator(this.judges.length, this.scale) };
      this.groups.set(key, entry);
    }
    return entry.accumulator;
  }

  /** One turn's scores (NaN: no valid score), into the overall and the given group sums; `locate` names the turn. */
  add(
    scores: Float64Array,
    groups: readonly AgreementAccumulator[],
    locate: () => Omit<Disagreement, "scores" | "spread">,
  ): void {
    this.overall.add(scores);
    for (const group of groups) group.add(scores);
    this.considerDisagreement(scores, locate);
  }

  private considerDisagreement(scores: Float64Array, locate: () => Omit<Disagreement, "scores" | "spread">): void {
    let low = Infinity;
    let high = -Infinity;
    let present = 0;
    for (const value of scores) {
      if (Number.isNaN(value)) continue;
      present += 1;
      low = Math.min(low, value);
      high = Math.max(high, value);
    }
    const spread = high - low;
    if (present < 2 || spread <= 0) return;
    const list = this.disagreements;
    if (list.length >= DISAGREEMENTS_LISTED && spread <= (list[list.length - 1]?.spread ?? 0)) return;
    const named: Record<string, number> = {};
    this.judges.forEach((judge, column) => {
      const value = scores[column] ?? Number.NaN;
      if (!Number.isNaN(value)) named[judge] = value;
    });
    const { targetId, itemId, turnIndex, language, strategy } = locate();
    list.push({ targetId, itemId, turnIndex, language, strategy, scores: named, spread });
    list.sort(compareDisagreements);
    if (list.length > DISAGREEMENTS_LISTED) list.pop();
  }

  result(rubricId: string): JudgeAgreement {
    const kappas = this.overall.kappaEstimates();
    return {
      rubricId,
      judges: this.judges,
      completeTurns: this.overall.completeTurns,
      incompleteTurns: this.overall.incompleteTurns,
      ...this.reliability(this.overall),
      pairs: judgePairs(this.judges).map(
        (judges, index): KappaPair => ({
          judges,
          n: kappas[index]?.n ?? 0,
          ...valuesWithReasons({
            kappa:
              this.scale === undefined
                ? notAvailable("no-scale")
                : (kappas[index]?.kappa ?? notAvailable("too-few-observations")),
          }),
        }),
      ),
      byGroup: [...this.groups.values()]
        .sort(
          (left, right) => left.dimension.localeCompare(right.dimension) || left.group.localeCompare(right.group, "en"),
        )
        .map(({ dimension, group, accumulator }) => ({
          dimension,
          group,
          completeTurns: accumulator.completeTurns,
          ...this.reliability(accumulator),
        })),
      largestDisagreements: this.disagreements,
    };
  }

  /**
   * ICC(2,1), the Spearman–Brown reliability of the judges' mean and alpha, each a value or the reason it has none:
   * a small group (a pilot, a run cancelled after a few turns) can give an ICC below −1 or a negative one, where
   * Spearman–Brown is undefined; that is reported, never thrown.
   */
  private reliability(accumulator: AgreementAccumulator): ReturnType<typeof valuesWithReasons<ReliabilityField>> {
    const icc: Estimate = accumulator.icc21Estimate();
    return valuesWithReasons<ReliabilityField>({
      icc21: icc,
      meanReliability: meanRaterReliability(icc, this.judges.length),
      krippendorffAlpha: accumulator.krippendorffAlphaEstimate(),
    });
  }
}

function compareDisagreements(left: Disagreement, right: Disagreement): number {
  return (
    right.spread - left.spread ||
    left.targetId.localeCompare(right.targetId) ||
    left.itemId.localeCompare(right.itemId) ||
    left.turnIndex - right.turnIndex
  );
}

function judgePairs(judges: readonly string[]): Array<[string, string]> {
  return judges.flatMap((first, index) => judges.slice(index + 1).map((second): [string, string] => [first, second]));
}
