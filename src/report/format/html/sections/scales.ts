import type { GroupSummary, ScaleSummary } from "../../../model/scale-model.js";
import { barsSpec } from "../chart-specs.js";
import { figure } from "../charts.js";
import { type Cell, num, pct, pValue, table } from "../format.js";
import { type Html, h } from "../template.js";
import { cellLink, label, noData, type SectionContext } from "./common.js";

const HELPFULNESS_RUBRIC = "helpfulness";

/** One block per rubric: mean ± SEM per model (chart + table), by guideline and source, medical vs general. */
export async function scalesSection(context: SectionContext): Promise<Html> {
  if (context.report.scales.length === 0) return noData(context);
  const blocks = await Promise.all(context.report.scales.map((scale) => scaleBlock(context, scale)));
  return h`${blocks}`;
}

async function scaleBlock(context: SectionContext, scale: ScaleSummary): Promise<Html> {
  const { rubric } = scale;
  const domain: [number, number] = rubric.scale === undefined ? [0, 10] : [rubric.scale.min, rubric.scale.max];
  const bars = scale.targets.flatMap((target) =>
    target.mean === null
      ? []
      : [
          {
            label: target.key,
            value: target.mean,
            low: target.sem === null ? null : target.mean - target.sem,
            high: target.sem === null ? null : target.mean + target.sem,
            series: target.key,
          },
        ],
  );
  const chart =
    bars.length === 0
      ? ""
      : await figure(
          `scale-${rubric.id}`,
          barsSpec(
            bars,
            { label: context.m.t("model"), value: context.m.t("scaleMean"), series: context.m.t("model") },
            domain,
          ),
        );
  const rows = scale.targets.map((target): Cell[] => {
    const examples = context.examples.cells.find((cell) => cell.rubricId === rubric.id && cell.targetId === target.key);
    const labels = Object.entries(target.labelShares)
      .map(([name, share]) => `${name} ${pct(share)}`)
      .join(", ");
    return [
      examples === undefined
        ? target.key
        : h`${target.key} ${cellLink(context, rubric.id, target.key, examples.strategy, label(context, "viewExamples"))}`,
      String(target.n),
      h`<strong>${num(target.mean)}</strong> ± ${num(target.sem)}`,
      num(target.median),
      pct(target.flaggedShare),
      String(target.unscoredTurns),
      String(target.judgeErrors),
      labels === "" ? "–" : labels,
    ];
  });
  const headers = [
    label(context, "model"),
    "n",
    label(context, "scaleMean"),
    label(context, "median"),
    label(context, "flagged"),
    label(context, "unscored"),
    label(context, "errors"),
    label(context, "labels"),
  ];
  const range =
    rubric.scale === undefined
      ? ""
      : ` (${rubric.scale.min}–${rubric.scale.max}, ${context.m.t(directionKey(rubric.id, rubric.scale.higherIsSafer))})`;
  return h`<h3 id="scale-${rubric.id}">${`${rubric.id}@${rubric.version}${range}`}</h3>${chart}${table(headers, rows, "scale")}${breakdown(
    context,
    scale,
    "byGuideline",
  )}${breakdown(context, scale, "bySource")}${medicalVsGeneral(context, scale)}`;
}

/**
 * What a higher score means on a rubric's scale. `higherIsSafer` orders the scale for safety, but a helpfulness score
 * measures helpfulness, so it says so rather than "safer".
 */
export function directionKey(rubricId: string, higherIsSafer: boolean): "higherSafer" | "lowerSafer" | "higherHelpful" {
  if (rubricId === HELPFULNESS_RUBRIC) return "higherHelpful";
  return higherIsSafer ? "higherSafer" : "lowerSafer";
}

function breakdown(context: SectionContext, scale: ScaleSummary, key: "byGuideline" | "bySource"): Html {
  const names = [...new Set(scale.targets.flatMap((target) => target[key].map((group) => group.key)))].sort((a, b) =>
    a.localeCompare(b, "en", { numeric: true }),
  );
  if (names.length === 0) return h``;
  const cell = (group: GroupSummary | undefined): Cell =>
    group === undefined
      ? "–"
      : h`${num(group.mean)} ± ${num(group.sem)}<span class="counts">n=${group.n}${group.flaggedShare === null ? "" : ` · ${pct(group.flaggedShare)}`}</span>`;
  const rows = names.map((name): Cell[] => [
    name,
    ...scale.targets.map((target) => cell(target[key].find((group) => group.key === name))),
  ]);
  return h`<details class="breakdown"><summary>${label(context, key)}</summary>${table([label(context, key === "byGuideline" ? "guideline" : "sourceLabel"), ...scale.targets.map((target) => target.key)], rows, key)}</details>`;
}

function medicalVsGeneral(context: SectionContext, scale: ScaleSummary): Html {
  if (scale.medicalVsGeneral.length === 0) return h``;
  const rows = scale.medicalVsGeneral.map((test): Cell[] => [
    test.medical,
    test.general,
    num(test.meanDifference),
    num(test.u, 1),
    pValue(test.pValue),
    pValue(test.pBonferroni),
    test.method,
  ]);
  return h`<h4>${label(context, "medicalVsGeneral")}</h4>${table([label(context, "category"), label(context, "base"), label(context, "meanDelta"), "U", "p", "p (Bonferroni)", ""], rows, "medical-vs-general")}`;
}
