/**
 * The per-strategy box plots' numbers as every text output prints them (Markdown, terminal table; the HTML report
 * shows the same rows under its chart): one table pooled over models, one per model and strategy, each with the
 * whisker rule in its note. Cells are plain text; the first `textColumns` cells of a row are data text.
 */
import type { Lang } from "../messages/labels.js";
import { paperFigureMessagesFor } from "../messages/paper-figures.js";
import type { StrategyBox, StrategyBoxes } from "../model/strategy-box-model.js";
import type { TextTable } from "./scaling-text.js";

function fixed(value: number | null): string {
  return value === null ? "–" : value.toFixed(2);
}

function numbers(box: StrategyBox): string[] {
  return [
    String(box.n),
    fixed(box.min),
    fixed(box.whiskerLow),
    fixed(box.q1),
    fixed(box.median),
    fixed(box.q3),
    fixed(box.whiskerHigh),
    fixed(box.max),
    fixed(box.mean),
    String(box.outliers),
  ];
}

/** The pooled table (its note states the whisker rule) and the per-model table. */
export function strategyBoxTables(boxes: StrategyBoxes, lang: Lang): TextTable[] {
  const { t } = paperFigureMessagesFor(lang);
  const statistics = [
    t("n"),
    t("min"),
    t("whiskerLow"),
    t("q1"),
    t("median"),
    t("q3"),
    t("whiskerHigh"),
    t("max"),
    t("mean"),
    t("outliers"),
  ];
  return [
    {
      title: t("pooled"),
      note: t("strategyBoxesNote"),
      head: [t("strategy"), ...statistics],
      rows: boxes.pooled.map((box) => [box.strategy, ...numbers(box)]),
      textColumns: 1,
    },
    {
      title: t("perModel"),
      head: [t("target"), t("strategy"), ...statistics],
      rows: boxes.perModel.map((box) => [box.targetId ?? "", box.strategy, ...numbers(box)]),
      textColumns: 2,
    },
  ];
}
