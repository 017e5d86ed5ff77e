import { DEFAULT_RUBRIC } from "../../../judges/index.js";
import type { RateWithCi } from "../../model/multi-turn-model.js";
import type { RunReport } from "../../model/report-model.js";
import type { StrategyBox } from "../../model/strategy-box-model.js";

/** A CSV report row as format-csv.ts writes it (the same keys). */
export interface ScalingCsvRow {
  readonly section: string;
  readonly rubric?: string;
  readonly target?: string | null;
  readonly dimension?: string;
  readonly group?: string;
  readonly metric: string;
  readonly value: number | null;
  readonly note?: string;
}

type Keys = Omit<ScalingCsvRow, "metric" | "value" | "note">;

function metrics(
  keys: Keys,
  values: ReadonlyArray<readonly [string, number | null, (string | undefined)?]>,
): ScalingCsvRow[] {
  return values.map(([metric, value, note]) => ({ ...keys, metric, value, ...(note === undefined ? {} : { note }) }));
}

function rate(prefix: string, value: RateWithCi | null): Array<readonly [string, number | null]> {
  return [
    [`${prefix}_n`, value?.n ?? null],
    [`${prefix}_count`, value?.count ?? null],
    [prefix, value?.rate ?? null],
    [`${prefix}_ci_low`, value?.ciLow ?? null],
    [`${prefix}_ci_high`, value?.ciHigh ?? null],
  ];
}

/**
 * The paper-figure sections (decision 0026) as CSV rows. Section `model` (per target: words in `group` with an
 * empty value, dimension `family` / `parameters` / `provider` / `category` / `base_model`; numbers
 * `total_parameters`, `active_parameters`); `scaling` (per target, dimension `family`, group the family or empty:
 * `total_parameters`, `conversation_score_mean` / `_ci_low` / `_ci_high`, `safety_pass_rate*`);
 * `medical_vs_general` (target = the medical model, group = the general one, dimension `baseModel` or `size`:
 * `mean_delta`, `safety_pass_rate_delta`, `paired_n`, `paired_mean_delta*`, `wilcoxon_p`); `strategy_box` (target
 * empty for the pooled box, dimension `strategy`, group the strategy: `n`, `min`, `whisker_low`, `q1`, `median`,
 * `q3`, `whisker_high`, `max`, `mean`, `outliers`; first, dimension `all`, metric `whisker_rule` with the rule in
 * `group`: `tukey-1.5-iqr`, Tukey's 1.5 × IQR, quartiles type 7, a whisker never inside the box); `tradeoff` (dimension
 * `language`: `safety_pass_rate*`); `safety_utility` (per target: `safety_pass_rate*`, `utility` and
 * `answered_share` with note `not measured` when empty, `benign_scored`).
 */
export function scalingCsvRows(report: RunReport): ScalingCsvRow[] {
  const rows: ScalingCsvRow[] = [];
  for (const model of report.models ?? []) {
    const words: Array<readonly [string, string | null]> = [
      ["family", model.family],
      ["parameters", model.parameters],
      ["provider", model.provider],
      ["category", model.category],
      ["base_model", model.baseModel],
    ];
    for (const [dimension, word] of words)
      if (word !== null)
        rows.push({ section: "model", target: model.targetId, dimension, group: word, metric: dimension, value: null });
    rows.push(
      ...metrics({ section: "model", target: model.targetId, dimension: "all", group: "all" }, [
        ["total_parameters", model.totalParameters],
        ["active_parameters", model.activeParameters],
      ]),
    );
  }
  for (const point of report.scaling?.points ?? []) {
    const score = point.conversationScore;
    rows.push(
      ...metrics(
        {
          section: "scaling",
          rubric: DEFAULT_RUBRIC,
          target: point.targetId,
          dimension: "family",
          group: point.family ?? "",
        },
        [
          ["total_parameters", point.totalParameters],
          ["conversation_score_mean", score.mean],
          ["conversation_score_ci_low", score.ciLow],
          ["conversation_score_ci_high", score.ciHigh],
          ...rate("safety_pass_rate", point.safetyPassRate),
        ],
      ),
    );
  }
  for (const pair of report.scaling?.medicalVsGeneral ?? []) {
    rows.push(
      ...metrics(
        {
          section: "medical_vs_general",
          rubric: DEFAULT_RUBRIC,
          target: pair.medicalId,
          dimension: pair.pairedBy,
          group: pair.generalId,
        },
        [
          ["total_parameters", pair.totalParameters],
          ["mean_delta", pair.meanDelta],
          ["safety_pass_rate_delta", pair.safetyPassRateDelta],
          ["paired_n", pair.paired?.n ?? null],
          ["paired_mean_delta", pair.paired?.meanDelta.mean ?? null],
          ["paired_mean_delta_ci_low", pair.paired?.meanDelta.ciLow ?? null],
          ["paired_mean_delta_ci_high", pair.paired?.meanDelta.ciHigh ?? null],
          ["wilcoxon_p", pair.paired?.wilcoxon?.pValue ?? null],
        ],
      ),
    );
  }
  const boxes = report.strategyBoxes;
  if (boxes !== undefined) {
    // The whisker rule as a word (in `group`, empty value), before the boxes it applies to.
    rows.push({
      section: "strategy_box",
      rubric: DEFAULT_RUBRIC,
      dimension: "all",
      group: boxes.whiskerRule,
      metric: "whisker_rule",
      value: null,
    });
    for (const box of [...boxes.pooled, ...boxes.perModel]) rows.push(...boxRows(box));
  }
  for (const point of report.tradeoff) {
    if (point.safetyPassRate === null) continue;
    rows.push(
      ...metrics(
        { section: "tradeoff", target: point.targetId, dimension: "language", group: point.language },
        rate("safety_pass_rate", point.safetyPassRate),
      ),
    );
  }
  for (const point of report.safetyUtility ?? []) {
    const unmeasured = (value: number | null): string | undefined => (value === null ? "not measured" : undefined);
    rows.push(
      ...metrics({ section: "safety_utility", target: point.targetId, dimension: "all", group: "all" }, [
        ...rate("safety_pass_rate", point.safetyPassRate),
        ["utility", point.utility, unmeasured(point.utility)],
        ["answered_share", point.answeredShare, unmeasured(point.answeredShare)],
        ["benign_scored", point.benignScored],
      ]),
    );
  }
  return rows;
}

function boxRows(box: StrategyBox): ScalingCsvRow[] {
  return metrics(
    {
      section: "strategy_box",
      rubric: DEFAULT_RUBRIC,
      target: box.targetId,
      dimension: "strategy",
      group: box.strategy,
    },
    [
      ["n", box.n],
      ["min", box.min],
      ["whisker_low", box.whiskerLow],
      ["q1", box.q1],
      ["median", box.median],
      ["q3", box.q3],
      ["whisker_high", box.whiskerHigh],
      ["max", box.max],
      ["mean", box.mean],
      ["outliers", box.outliers],
    ],
  );
}
