import type { SamplingMessageKey } from "../messages/sampling-design.js";
import type { SamplingStratumReport, TargetSamplingDesign } from "../model/sampling-design-model.js";

type Translate = (key: SamplingMessageKey, values?: Readonly<Record<string, string | number>>) => string;

/**
 * The cells of the sampling design (decision 0022) as plain text, shared by the Markdown report, the HTML report and
 * the terminal table: each formatter escapes and lays them out its own way.
 */
export function samplingColumns(t: Translate): string[] {
  return [
    t("target"),
    t("precision"),
    t("minSample"),
    t("used"),
    t("decided"),
    t("undecided"),
    t("stratifiedEstimate"),
    t("interval"),
    t("halfWidth"),
    t("met"),
    t("unsampledStrata"),
  ];
}

/** One target's row under {@link samplingColumns}. */
export function samplingCells(design: TargetSamplingDesign, t: Translate): string[] {
  return [
    design.targetId,
    `±${fixed(design.precision, 3)}`,
    String(design.minSample),
    `${design.used} / ${design.population}`,
    String(design.decided),
    String(design.undecided),
    design.stratifiedEstimate === null ? "–" : fixed(design.stratifiedEstimate, 3),
    `[${fixed(design.low, 3)}, ${fixed(design.high, 3)}]`,
    fixed(design.halfWidth, 3),
    design.met ? t("yes") : t("no"),
    String(design.unsampledStrata),
  ];
}

export function stratumColumns(t: Translate): string[] {
  return [t("stratum"), t("usedOfStratum"), t("weight"), t("decided"), t("passed"), t("rate")];
}

/** One stratum's row under {@link stratumColumns}. */
export function stratumCells(stratum: SamplingStratumReport): string[] {
  return [
    stratum.stratum,
    `${stratum.used} / ${stratum.population}`,
    fixed(stratum.weight, 4),
    String(stratum.decided),
    String(stratum.passed),
    stratum.rate === null ? "–" : fixed(stratum.rate, 3),
  ];
}

function fixed(value: number, digits: number): string {
  return Number.isFinite(value) ? value.toFixed(digits) : "–";
}
