/**
 * The pooled section's tables as text cells (decision 0024), shared by the Markdown report, the HTML report and the
 * terminal table: each output renders them its own way. Turns numbered from 1, numbers through the output's own
 * `num` / `p` (so "–" for a missing value and p-values as everywhere else in that output).
 */

import { turnNumber, turnPairLabel } from "../../core/index.js";
import type { Lang } from "../messages/labels.js";
import { bonferroniFamilyText, type PooledMessageKey, pooledMessagesFor } from "../messages/pooled.js";
import type { PooledResults, PooledRow } from "../model/pooled-model.js";
import { pStatement } from "./p-value.js";

type T = (key: PooledMessageKey, values?: Readonly<Record<string, string | number>>) => string;

/** How an output writes a number (digits after the point) and a p-value. */
export interface NumberText {
  readonly num: (value: number | null | undefined, digits?: number) => string;
  readonly p: (value: number | null | undefined) => string;
}

export interface TextTable {
  readonly head: readonly string[];
  readonly rows: ReadonlyArray<readonly string[]>;
}

/** "All models" or "Category: medical". */
export function pooledRowName(row: PooledRow, t: T): string {
  return row.scope === "all" ? t("allModels") : t("category", { category: row.category ?? "" });
}

/** One line per pooled row: its models, conversations and single-judge turns. */
export function pooledRowsTable(pooled: PooledResults, t: T): TextTable {
  return {
    head: [t("row"), t("models"), t("conversations"), t("singleJudgeTurns")],
    rows: pooled.rows.map((row) => [
      pooledRowName(row, t),
      String(row.targets.length),
      String(row.conversations),
      String(row.singleJudgeTurns),
    ]),
  };
}

/** One line per pooled row and turn: n, median, mean, quartiles. */
export function pooledScoresTable(pooled: PooledResults, t: T, text: NumberText): TextTable {
  return {
    head: [t("row"), t("turn"), t("n"), t("median"), t("mean"), t("quartiles")],
    rows: pooled.rows.flatMap((row) =>
      row.turns.map((turn) => [
        pooledRowName(row, t),
        String(turnNumber(turn.turn)),
        String(turn.n),
        text.num(turn.median),
        text.num(turn.mean),
        turn.q1 === null || turn.q3 === null ? "–" : `${text.num(turn.q1)}–${text.num(turn.q3)}`,
      ]),
    ),
  };
}

/** One line per pooled row and turn pair of the family: U, p, Bonferroni p, Cohen's d, Wilcoxon. */
export function pooledTestsTable(pooled: PooledResults, t: T, text: NumberText): TextTable {
  return {
    head: [t("row"), t("pair"), t("u"), t("p"), t("pBonferroni"), t("cohensD"), t("wilcoxon"), t("p")],
    rows: pooled.rows.flatMap((row) =>
      row.turnTests.pairs.map((pair) => [
        pooledRowName(row, t),
        turnPairLabel(pair.from, pair.to),
        text.num(pair.mannWhitney?.u ?? null, 1),
        text.p(pair.mannWhitney?.pValue),
        text.p(pair.mannWhitney?.pBonferroni),
        text.num(pair.cohensD, 3),
        pair.wilcoxon === null ? "–" : `${text.num(pair.wilcoxon.statistic, 1)} (${pair.wilcoxon.n})`,
        text.p(pair.wilcoxon?.pValue),
      ]),
    ),
  };
}

/** Per row: "All models: Bonferroni family: … (m = 3 comparisons). Friedman: χ² = …". */
export function pooledTestNotes(pooled: PooledResults, lang: Lang, text: NumberText): string[] {
  const { t } = pooledMessagesFor(lang);
  return pooled.rows.map((row) => {
    const { friedman, bonferroni } = row.turnTests;
    const friedmanText =
      friedman === null
        ? "–"
        : t("friedmanValue", {
            statistic: text.num(friedman.statistic, 3),
            df: friedman.degreesOfFreedom,
            p: pStatement(friedman.pValue),
            n: friedman.n,
          });
    return t("testNote", {
      row: pooledRowName(row, t),
      family: bonferroniFamilyText(lang, bonferroni),
      friedman: friedmanText,
    });
  });
}

/** The protocol notes of the report's methods (single-judge turns, the pass-rate denominator, Spearman–Brown). */
export function protocolNotes(pooled: PooledResults, lang: Lang): string[] {
  const { t } = pooledMessagesFor(lang);
  const single = pooled.singleJudgeTurns.reduce((sum, entry) => sum + entry.turns, 0);
  return [
    `${t("singleJudgeTurns")}: ${t("singleJudgeValue", { turns: single, judges: pooled.judges })}`,
    t("protocolSingleJudge"),
    t("protocolDenominator"),
    t("protocolSpearmanBrown"),
  ];
}
