/**
 * How the report model carries a statistic that is not available, and why. A statistic field stays `number | null`
 * (JSON readers keep working); the object that holds it gets `notAvailable: { <field>: { code, reason } }` for each
 * of its fields that is null for a known reason, and no `notAvailable` at all when every statistic has a value.
 * Formats print such a field as "n/a (<short reason>)" and give the full reason once per section (CSV: in its
 * `note` column).
 */
import { type Estimate, NOT_AVAILABLE_CODES, type NotAvailableCode } from "../analysis/index.js";

/** Why one statistic of the report has no value: `code` for programs, `reason` (English) for people. */
export interface NotAvailable {
  readonly code: NotAvailableCode;
  readonly reason: string;
}

/** The reasons of an object's null statistics, keyed by field name. */
export type NotAvailableFields<Field extends string> = Partial<Readonly<Record<Field, NotAvailable>>>;

type Lang = "en" | "ja";

/** Per code and language: a few words for a table cell, and the full reason. */
const TEXTS: Readonly<
  Record<NotAvailableCode, Readonly<Record<Lang, { readonly short: string; readonly reason: string }>>>
> = {
  "too-few-observations": {
    en: {
      short: "too few turns",
      reason:
        "too few turns for this statistic (ICC(2,1) needs 2 turns scored by every judge, Krippendorff's α a turn with 2 scores, κ a turn scored by both judges)",
    },
    ja: {
      short: "ターン不足",
      reason:
        "この統計量に必要なターンが不足（ICC(2,1) は全評価者が採点した 2 ターン、Krippendorff の α は 2 つの点数があるターン、κ は両評価者が採点したターンが必要）",
    },
  },
  "no-variance": {
    en: {
      short: "no variance",
      reason: "every score is the same, so agreement beyond chance is undefined (a zero denominator)",
    },
    ja: { short: "分散なし", reason: "全ての点数が同じで、偶然を超える一致は定義されない（分母が 0）" },
  },
  "off-scale": {
    en: {
      short: "off scale",
      reason: "a score is not a whole number on the rubric's scale, so weighted κ is undefined",
    },
    ja: { short: "尺度外", reason: "ルーブリックの尺度上の整数でない点数があり、重み付き κ は定義されない" },
  },
  "no-scale": {
    en: { short: "no scale", reason: "the rubric has no integer scale to weight disagreements on" },
    ja: { short: "尺度なし", reason: "ルーブリックに不一致を重み付けする整数尺度がない" },
  },
  "negative-reliability": {
    en: {
      short: "ICC < 0",
      reason:
        "ICC(2,1) is negative (the judges agree less than chance), so the Spearman–Brown reliability of their mean is not meaningful",
    },
    ja: {
      short: "ICC < 0",
      reason: "ICC(2,1) が負（偶然以下の一致）のため、評価者平均の Spearman–Brown 信頼性は意味をなさない",
    },
  },
  "reliability-below-minus-one": {
    en: {
      short: "ICC < −1",
      reason:
        "ICC(2,1) is below −1, outside the range of a reliability (it happens with very few turns), so Spearman–Brown is not defined",
    },
    ja: {
      short: "ICC < −1",
      reason:
        "ICC(2,1) が −1 未満で信頼性の範囲外（ターンが極めて少ないと起こる）のため、Spearman–Brown は定義されない",
    },
  },
};

/** The report's record of a code: the code and its English reason. */
export function notAvailableOf(code: NotAvailableCode): NotAvailable {
  return { code, reason: TEXTS[code].en.reason };
}

/** "n/a (ICC < −1)" / "n/a（ICC < −1）": what a table cell shows. */
export function notAvailableCell(code: NotAvailableCode, lang: Lang): string {
  const { short } = TEXTS[code][lang];
  return lang === "ja" ? `n/a（${short}）` : `n/a (${short})`;
}

/** The full reason in a language. */
export function notAvailableReason(code: NotAvailableCode, lang: Lang): string {
  return TEXTS[code][lang].reason;
}

/** One line per code, in a stable order: "n/a (ICC < −1): ICC(2,1) is below −1, …" (the notes under a table). */
export function notAvailableNotes(codes: Iterable<NotAvailableCode>, lang: Lang): string[] {
  const used = new Set(codes);
  const separator = lang === "ja" ? "：" : ": ";
  return NOT_AVAILABLE_CODES.filter((code) => used.has(code)).map(
    (code) => `${notAvailableCell(code, lang)}${separator}${notAvailableReason(code, lang)}`,
  );
}

/** Every code in `notAvailable` fields of the given objects. */
export function codesOf(
  objects: Iterable<{ readonly notAvailable?: NotAvailableFields<string> }>,
): Set<NotAvailableCode> {
  const codes = new Set<NotAvailableCode>();
  for (const object of objects)
    for (const entry of Object.values(object.notAvailable ?? {})) if (entry !== undefined) codes.add(entry.code);
  return codes;
}

/**
 * The values of some estimates (null where not available) and, only when some are not available, their reasons:
 * spread the result into a report object. `{ icc21: available(0.8), kappa: notAvailable("no-scale") }` gives
 * `{ icc21: 0.8, kappa: null, notAvailable: { kappa: { code: "no-scale", reason: "…" } } }`.
 */
export function valuesWithReasons<Field extends string>(
  estimates: Readonly<Record<Field, Estimate>>,
): Record<Field, number | null> & { notAvailable?: NotAvailableFields<Field> } {
  const values = {} as Record<Field, number | null>;
  const reasons: Partial<Record<Field, NotAvailable>> = {};
  let missing = false;
  for (const field of Object.keys(estimates) as Field[]) {
    const estimate = estimates[field];
    values[field] = estimate.value;
    if (estimate.value === null) {
      reasons[field] = notAvailableOf(estimate.notAvailable);
      missing = true;
    }
  }
  return missing ? { ...values, notAvailable: reasons } : values;
}
