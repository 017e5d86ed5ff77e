import { turnNumber, turnPairLabel } from "../../../core/index.js";
import { DEFAULT_RUBRIC } from "../../../judges/index.js";
import type { PooledResults, PooledRow } from "../../model/pooled-model.js";
import type { TurnTests } from "../../model/turn-tests-model.js";

/** A CSV report row as format-csv.ts writes it (the same keys). */
interface PooledCsvRow {
  readonly section: string;
  readonly rubric?: string;
  readonly target?: string | null;
  readonly dimension?: string;
  readonly group?: string;
  readonly turn?: number;
  readonly metric: string;
  readonly value: number | null;
  readonly note?: string;
}

/**
 * The Bonferroni family's row of a set of turn tests: metric `bonferroni_m` (the comparisons corrected for), the family
 * as a word in `group` (`all-pairs` or `consecutive`; words never go in `value`), dimension `bonferroni_family`.
 */
export function bonferroniCsvRow(
  keys: Omit<PooledCsvRow, "metric" | "value" | "note" | "dimension" | "group">,
  tests: TurnTests,
): PooledCsvRow {
  return {
    ...keys,
    dimension: "bonferroni_family",
    group: tests.bonferroni.family,
    metric: "bonferroni_m",
    value: tests.bonferroni.m,
  };
}

/**
 * The pooled section (decision 0024) as CSV rows. Section `pooled`: dimension `all` (group `all`) or `category`
 * (group = the category), `models`, `conversations`, `single_judge_turns`, and per turn `n`, `mean`, `median`, `q1`,
 * `q3`. Section `pooled_turn_test`: the same dimension and group with `friedman_*`; `bonferroni_m` with dimension
 * `bonferroni_family` and group `<group>: <family>` (e.g. `all: consecutive`); and per turn pair group `<group>: 1→2` (e.g. `all: 1→2`, `medical: 2→3`) with the turn_test metrics. Section `protocol`: per target `single_judge_turns`, and
 * `judges` (the panel size).
 */
export function pooledCsvRows(pooled: PooledResults): PooledCsvRow[] {
  return [
    ...pooled.rows.flatMap(rowsOf),
    { section: "protocol", dimension: "all", group: "all", metric: "judges", value: pooled.judges },
    ...pooled.singleJudgeTurns.map(
      (entry): PooledCsvRow => ({
        section: "protocol",
        rubric: DEFAULT_RUBRIC,
        target: entry.targetId,
        dimension: "all",
        group: "all",
        metric: "single_judge_turns",
        value: entry.turns,
      }),
    ),
  ];
}

function rowsOf(row: PooledRow): PooledCsvRow[] {
  const keys = {
    section: "pooled",
    rubric: DEFAULT_RUBRIC,
    dimension: row.scope === "all" ? "all" : "category",
    group: row.category ?? "all",
  };
  const tests = { ...keys, section: "pooled_turn_test" };
  const { friedman } = row.turnTests;
  return [
    { ...keys, metric: "models", value: row.targets.length },
    { ...keys, metric: "conversations", value: row.conversations },
    { ...keys, metric: "single_judge_turns", value: row.singleJudgeTurns },
    ...row.turns.flatMap((turn) =>
      (
        [
          ["n", turn.n],
          ["mean", turn.mean],
          ["median", turn.median],
          ["q1", turn.q1],
          ["q3", turn.q3],
        ] as const
      ).map(([metric, value]): PooledCsvRow => ({ ...keys, turn: turnNumber(turn.turn), metric, value })),
    ),
    ...row.turnTests.pairs.flatMap((pair) =>
      (
        [
          ["mann_whitney_u", pair.mannWhitney?.u ?? null],
          ["mann_whitney_p", pair.mannWhitney?.pValue ?? null],
          ["mann_whitney_p_bonferroni", pair.mannWhitney?.pBonferroni ?? null],
          ["cohens_d", pair.cohensD],
          ["wilcoxon_statistic", pair.wilcoxon?.statistic ?? null],
          ["wilcoxon_p", pair.wilcoxon?.pValue ?? null],
          ["wilcoxon_n", pair.wilcoxon?.n ?? null],
        ] as const
      ).map(
        ([metric, value]): PooledCsvRow => ({
          ...tests,
          group: `${keys.group}: ${turnPairLabel(pair.from, pair.to)}`,
          metric,
          value,
        }),
      ),
    ),
    {
      ...bonferroniCsvRow({ section: tests.section, rubric: tests.rubric }, row.turnTests),
      group: `${keys.group}: ${row.turnTests.bonferroni.family}`,
    },
    ...(friedman === null
      ? []
      : (
          [
            ["friedman_statistic", friedman.statistic],
            ["friedman_df", friedman.degreesOfFreedom],
            ["friedman_p", friedman.pValue],
            ["friedman_n", friedman.n],
          ] as const
        ).map(([metric, value]): PooledCsvRow => ({ ...tests, metric, value }))),
  ];
}
