import { type BoxRow, boxSpec } from "../chart-specs.js";
import { figure } from "../charts.js";
import { type Cell, interval, num, pValue, table } from "../format.js";
import { type Html, h } from "../template.js";
import { groupNames, groupsOf, groupTable, label, noData, type SectionContext } from "./common.js";

export function categoryBoxes(context: SectionContext): BoxRow[] {
  const groups = groupsOf(context.report, "category");
  return groupNames(groups).flatMap((name) => {
    const score = groups.find((group) => group.group === name)?.conversationScore;
    return score === undefined || score.q1 === null || score.median === null || score.q3 === null
      ? []
      : [{ group: name, q1: score.q1, median: score.median, q3: score.q3, mean: score.mean }];
  });
}

/** Box plots per model category, the category table, comparisons between models and categories, fine-tunes. */
export async function categoriesSection(context: SectionContext): Promise<Html> {
  const boxes = categoryBoxes(context);
  const notComputed = context.report.multiTurn === null ? "notComputed" : "noData";
  const chart =
    boxes.length === 0
      ? noData(context, notComputed)
      : await figure(
          "categories",
          boxSpec(boxes, { group: context.m.t("category"), score: context.m.t("score") }),
          label(context, "categoriesNote"),
        );
  const categoryTable = boxes.length === 0 ? "" : groupTable(context, "category", context.m.t("category"));
  return h`${chart}${categoryTable}<h3>${label(context, "comparisons")}</h3>${comparisons(context)}<h3>${label(context, "fineTunes")}</h3>${fineTunes(context)}`;
}

function comparisons(context: SectionContext): Html {
  const all = context.report.multiTurn?.comparisons ?? [];
  if (all.length === 0) return noData(context, context.report.multiTurn === null ? "notComputed" : "noData");
  return h`${all.map((comparison) => {
    const kw = comparison.kruskalWallis;
    const head = h`<p><strong>${comparison.by}</strong> — ${label(context, "kruskalWallis")}: ${kw === null ? "–" : `H=${num(kw.statistic)}, df=${kw.degreesOfFreedom}, p=${pValue(kw.pValue)}`}</p>`;
    const rows = comparison.pairs.map((pair): Cell[] => [
      `${pair.a} − ${pair.b}`,
      `${pair.nA} / ${pair.nB}`,
      h`${num(pair.meanDelta.mean)} <span class="muted">${interval(pair.meanDelta.ciLow, pair.meanDelta.ciHigh)}</span>`,
      num(pair.u, 1),
      pValue(pair.pValue),
      pValue(pair.pHolm),
    ]);
    return h`${head}${
      rows.length === 0
        ? ""
        : table(
            [label(context, "comparisonPair"), "n", label(context, "meanDelta"), "U", "p", label(context, "pHolm")],
            rows,
            `comparison comparison-${comparison.by}`,
          )
    }`;
  })}`;
}

function fineTunes(context: SectionContext): Html {
  const all = context.report.multiTurn?.fineTunes ?? [];
  if (all.length === 0) return noData(context, context.report.multiTurn === null ? "notComputed" : "noData");
  const rows = all.map((entry): Cell[] => [
    entry.fineTunedId,
    entry.baseId,
    String(entry.n),
    h`${num(entry.meanDelta.mean)} <span class="muted">${interval(entry.meanDelta.ciLow, entry.meanDelta.ciHigh)}</span>`,
    entry.wilcoxon === null ? "–" : `p=${pValue(entry.wilcoxon.pValue)}, n=${entry.wilcoxon.n}`,
  ]);
  return table(
    [label(context, "fineTuned"), label(context, "base"), "n", label(context, "meanDelta"), label(context, "wilcoxon")],
    rows,
    "fine-tunes",
  );
}
