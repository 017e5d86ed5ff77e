import { type ScatterPoint, scatterSpec } from "../chart-specs.js";
import { figure } from "../charts.js";
import { type Cell, interval, num, pValue, table } from "../format.js";
import { type Html, h } from "../template.js";
import { groupsOf, label, noData, type SectionContext } from "./common.js";

export type LanguageSource = "crossLingual" | "languageGroups" | "tradeoff";

/** Each model's mean in English and Japanese: paired cross-lingual means, else per-language groups, else the tradeoff points. */
export function languagePoints(context: SectionContext): { points: ScatterPoint[]; source: LanguageSource } {
  const { report } = context;
  const paired = (report.multiTurn?.crossLingual.targets ?? []).flatMap((target) =>
    target.meanEn === null || target.meanJa === null
      ? []
      : [{ model: target.targetId, x: target.meanEn, y: target.meanJa }],
  );
  if (paired.length > 0) return { points: paired, source: "crossLingual" };
  const groups = groupsOf(report, "language");
  const fromGroups = report.targets.flatMap((target) => {
    const en = groups.find((group) => group.targetId === target.targetId && group.group === "en")?.conversationScore
      .mean;
    const ja = groups.find((group) => group.targetId === target.targetId && group.group === "ja")?.conversationScore
      .mean;
    return en === null || en === undefined || ja === null || ja === undefined
      ? []
      : [{ model: target.targetId, x: en, y: ja }];
  });
  if (fromGroups.length > 0) return { points: fromGroups, source: "languageGroups" };
  const fromTradeoff = report.targets.flatMap((target) => {
    const en = report.tradeoff.find((point) => point.targetId === target.targetId && point.language === "en")?.safety;
    const ja = report.tradeoff.find((point) => point.targetId === target.targetId && point.language === "ja")?.safety;
    return en === null || en === undefined || ja === null || ja === undefined
      ? []
      : [{ model: target.targetId, x: en, y: ja }];
  });
  return { points: fromTradeoff, source: "tradeoff" };
}

export async function languagesSection(context: SectionContext): Promise<Html> {
  const { points, source } = languagePoints(context);
  if (points.length === 0) return noData(context);
  const chart = await figure(
    "languages",
    scatterSpec(points, { x: context.m.t("english"), y: context.m.t("japanese") }),
    label(context, "languagesNote"),
  );
  const crossLingual = context.report.multiTurn?.crossLingual;
  const rows =
    source === "crossLingual" && crossLingual !== undefined
      ? crossLingual.targets.map((target): Cell[] => [
          target.targetId,
          num(target.meanEn),
          num(target.meanJa),
          h`${num(target.meanDelta.mean)} <span class="muted">${interval(target.meanDelta.ciLow, target.meanDelta.ciHigh)}</span>`,
          target.wilcoxon === null ? "–" : `p=${pValue(target.wilcoxon.pValue)}, n=${target.wilcoxon.n}`,
          String(target.n),
        ])
      : points.map((point): Cell[] => [point.model, num(point.x), num(point.y), num(point.y - point.x), "–", "–"]);
  const headers = [
    label(context, "model"),
    label(context, "english"),
    label(context, "japanese"),
    label(context, "jaMinusEn"),
    label(context, "wilcoxon"),
    "n",
  ];
  const spearman =
    source === "crossLingual" && crossLingual !== undefined
      ? h`<p class="muted">${label(context, "rankingSpearman")}: ρ=${num(crossLingual.rankingSpearman.rho)} (n=${crossLingual.rankingSpearman.n})</p>`
      : "";
  return h`${chart}${table(headers, rows, "languages")}${spearman}<p class="muted">${label(context, "languagesSource", { source: context.m.t(SOURCE_LABELS[source]) })}</p>`;
}

/** Where the points come from, said in words (the identifiers are the code's). */
const SOURCE_LABELS = {
  crossLingual: "languagesFromPairs",
  languageGroups: "languagesFromGroups",
  tradeoff: "languagesFromTradeoff",
} as const satisfies Record<LanguageSource, string>;
