/**
 * Why a statistic is not available, in words: per code (analysis/estimate.ts) a few words for a table cell and the
 * full reason, each an `[English, Japanese]` row read through `bilingual`. The report model records the English
 * reason (build/not-available.ts); the formats print "n/a (<short>)" cells and the reasons as notes.
 */
import { NOT_AVAILABLE_CODES, type NotAvailableCode } from "../../analysis/index.js";
import { bilingual } from "../../core/index.js";
import type { Lang, Row } from "./labels.js";

const TABLE = {
  "too-few-observations.short": ["too few turns", "ターン不足"],
  "too-few-observations.reason": [
    "too few turns for this statistic (ICC(2,1) needs 2 turns scored by every judge, Krippendorff's α a turn with 2 scores, κ a turn scored by both judges)",
    "この統計量に必要なターンが不足（ICC(2,1) は全評価者が採点した 2 ターン、Krippendorff の α は 2 つの点数があるターン、κ は両評価者が採点したターンが必要）",
  ],
  "no-variance.short": ["no variance", "分散なし"],
  "no-variance.reason": [
    "every score is the same, so agreement beyond chance is undefined (a zero denominator)",
    "全ての点数が同じで、偶然を超える一致は定義されない（分母が 0）",
  ],
  "off-scale.short": ["off scale", "尺度外"],
  "off-scale.reason": [
    "a score is not a whole number on the rubric's scale, so weighted κ is undefined",
    "ルーブリックの尺度上の整数でない点数があり、重み付き κ は定義されない",
  ],
  "no-scale.short": ["no scale", "尺度なし"],
  "no-scale.reason": [
    "the rubric has no integer scale to weight disagreements on",
    "ルーブリックに不一致を重み付けする整数尺度がない",
  ],
  "negative-reliability.short": ["ICC < 0", "ICC < 0"],
  "negative-reliability.reason": [
    "ICC(2,1) is negative (the judges agree less than chance), so the Spearman–Brown reliability of their mean is not meaningful",
    "ICC(2,1) が負（偶然以下の一致）のため、評価者平均の Spearman–Brown 信頼性は意味をなさない",
  ],
  "reliability-below-minus-one.short": ["ICC < −1", "ICC < −1"],
  "reliability-below-minus-one.reason": [
    "ICC(2,1) is below −1, outside the range of a reliability (it happens with very few turns), so Spearman–Brown is not defined",
    "ICC(2,1) が −1 未満で信頼性の範囲外（ターンが極めて少ないと起こる）のため、Spearman–Brown は定義されない",
  ],

  cell: ["n/a ({short})", "n/a（{short}）"],
  noteSeparator: [": ", "："],
} as const satisfies Record<`${NotAvailableCode}.${"short" | "reason"}` | "cell" | "noteSeparator", Row>;

/** "n/a (ICC < −1)" / "n/a（ICC < −1）": what a table cell shows. */
export function notAvailableCell(code: NotAvailableCode, lang: Lang): string {
  const m = bilingual(TABLE, lang);
  return m.t("cell", { short: m.t(`${code}.short`) });
}

/** The full reason in a language. */
export function notAvailableReason(code: NotAvailableCode, lang: Lang): string {
  return bilingual(TABLE, lang).t(`${code}.reason`);
}

/** One line per code, in a stable order: "n/a (ICC < −1): ICC(2,1) is below −1, …" (the notes under a table). */
export function notAvailableNotes(codes: Iterable<NotAvailableCode>, lang: Lang): string[] {
  const used = new Set(codes);
  const separator = bilingual(TABLE, lang).t("noteSeparator");
  return NOT_AVAILABLE_CODES.filter((code) => used.has(code)).map(
    (code) => `${notAvailableCell(code, lang)}${separator}${notAvailableReason(code, lang)}`,
  );
}
