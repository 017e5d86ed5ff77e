/**
 * The tables behind the paper's figures as every text output prints them (Markdown, terminal table; the HTML report
 * shows the same rows): the models with their metadata and safety, each family by size, medical vs general at equal
 * size, and Safety Pass Rate vs utility. Cells are plain text; the first `textColumns` cells of a row are data (ids,
 * names) that a format escapes its own way.
 */
import { formatParameterCount } from "../../analysis/index.js";
import type { Lang } from "../messages/labels.js";
import { type PaperFigureMessageKey, paperFigureMessagesFor } from "../messages/paper-figures.js";
import type { RateWithCi } from "../model/multi-turn-model.js";
import type { RunReport } from "../model/report-model.js";
import type { MedicalGeneralPair, ScalingPoint, ScalingReport } from "../model/scaling-model.js";
import type { SafetyUtilityPoint } from "../model/tradeoff-model.js";
import { formatPValue } from "./p-value.js";

/** One table: its title, an optional note, the head and rows; the first `textColumns` columns hold data text. */
export interface TextTable {
  readonly title: string;
  readonly note?: string;
  readonly head: readonly string[];
  readonly rows: ReadonlyArray<readonly string[]>;
  readonly textColumns: number;
  /** Said instead of an empty table. */
  readonly empty?: string;
}

const DASH = "–";

function fixed(value: number | null | undefined, digits = 2): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return DASH;
  const text = value.toFixed(digits);
  return /^-0(\.0+)?$/.test(text) ? text.slice(1) : text;
}

function signed(value: number | null | undefined, digits = 2): string {
  const text = fixed(value, digits);
  return value !== null && value !== undefined && value > 0 && text !== DASH ? `+${text}` : text;
}

function percent(value: number | null | undefined): string {
  return value === null || value === undefined ? DASH : `${(value * 100).toFixed(1)}%`;
}

function interval(low: number | null, high: number | null, format: (value: number) => string): string {
  return low === null || high === null ? "" : ` [${format(low)}, ${format(high)}]`;
}

/** "62.5% [40.0%, 80.0%] (5/8)", or "–" without decided conversations. */
export function rateText(rate: RateWithCi | null): string {
  if (rate === null || rate.rate === null) return DASH;
  return `${percent(rate.rate)}${interval(rate.ciLow, rate.ciHigh, (value) => percent(value))} (${rate.count}/${rate.n})`;
}

function meanText(point: ScalingPoint): string {
  const score = point.conversationScore;
  return score.mean === null
    ? DASH
    : `${fixed(score.mean)}${interval(score.ciLow, score.ciHigh, (value) => fixed(value))}`;
}

function sizeText(total: number | null): string {
  return total === null ? DASH : formatParameterCount(total);
}

/** The Models table, the family-by-size table and the medical–general table of the scaling section. */
export function scalingTables(report: RunReport, lang: Lang): TextTable[] {
  const { t } = paperFigureMessagesFor(lang);
  const scaling = report.scaling;
  const models = report.models ?? [];
  const points = new Map((scaling?.points ?? []).map((point) => [point.targetId, point]));
  const modelsTable: TextTable = {
    title: t("models"),
    note: t("scalingNote"),
    head: [
      t("target"),
      t("family"),
      t("parameters"),
      t("active"),
      t("provider"),
      t("category"),
      t("baseModel"),
      t("conversationScore"),
      t("safetyPassRate"),
    ],
    rows: models.map((model) => {
      const point = points.get(model.targetId);
      return [
        model.targetId,
        model.family ?? DASH,
        model.parameters ?? DASH,
        model.activeParameters === model.totalParameters ? DASH : sizeText(model.activeParameters),
        model.provider ?? DASH,
        model.category ?? DASH,
        model.baseModel ?? DASH,
        point === undefined ? DASH : meanText(point),
        point === undefined ? DASH : rateText(point.safetyPassRate),
      ];
    }),
    textColumns: 7,
  };
  if (scaling === undefined) return [modelsTable];
  return [modelsTable, familyTable(scaling, t), medicalTable(scaling, t)];
}

type T = (key: PaperFigureMessageKey, values?: Readonly<Record<string, string | number>>) => string;

function familyTable(scaling: ScalingReport, t: T): TextTable {
  const points = new Map(scaling.points.map((point) => [point.targetId, point]));
  return {
    title: t("families"),
    head: [t("family"), t("target"), t("parameters"), t("conversationScore"), t("safetyPassRate")],
    rows: scaling.families.flatMap((family) =>
      family.targetIds.flatMap((targetId) => {
        const point = points.get(targetId);
        return point === undefined
          ? []
          : [[family.family, targetId, point.parameters ?? DASH, meanText(point), rateText(point.safetyPassRate)]];
      }),
    ),
    textColumns: 3,
    empty: t("noFamilies"),
  };
}

function medicalTable(scaling: ScalingReport, t: T): TextTable {
  return {
    title: t("medicalVsGeneral"),
    note: t("medicalVsGeneralNote"),
    head: [
      t("medical"),
      t("general"),
      t("pairedBy"),
      t("parameters"),
      t("meanDelta"),
      t("sprDelta"),
      t("pairedMean"),
      t("wilcoxonP"),
    ],
    rows: scaling.medicalVsGeneral.map((pair) => medicalRow(pair, t)),
    textColumns: 3,
    empty: t("noMedicalVsGeneral"),
  };
}

function medicalRow(pair: MedicalGeneralPair, t: T): string[] {
  const paired = pair.paired;
  return [
    pair.medicalId,
    pair.generalId,
    t(pair.pairedBy === "baseModel" ? "pairedByBaseModel" : "pairedBySize"),
    pair.parameters ?? DASH,
    signed(pair.meanDelta),
    pair.safetyPassRateDelta === null ? DASH : `${signed(pair.safetyPassRateDelta * 100, 1)} pt`,
    paired === null
      ? DASH
      : `${signed(paired.meanDelta.mean)}${interval(paired.meanDelta.ciLow, paired.meanDelta.ciHigh, (value) => signed(value))} (${paired.n})`,
    paired?.wilcoxon === null || paired === null ? DASH : formatPValue(paired.wilcoxon.pValue),
  ];
}

/** Per model: Safety Pass Rate against utility on the benign set ("not measured" without scored benign requests). */
export function safetyUtilityTable(points: readonly SafetyUtilityPoint[], lang: Lang): TextTable {
  const { t } = paperFigureMessagesFor(lang);
  return {
    title: t("safetyUtility"),
    note: t("safetyUtilityNote"),
    head: [t("target"), t("safetyPassRate"), t("utility"), t("answered"), t("benignScored")],
    rows: points.map((point) => [
      point.targetId,
      rateText(point.safetyPassRate),
      point.utility === null ? t("notMeasured") : fixed(point.utility, 3),
      point.answeredShare === null ? t("notMeasured") : percent(point.answeredShare),
      String(point.benignScored),
    ]),
    textColumns: 1,
  };
}
