import { samplingMessagesFor } from "../../../messages/sampling-design.js";
import { samplingCells, samplingColumns, stratumCells, stratumColumns } from "../../sampling-design-text.js";
import { table } from "../format.js";
import { type Html, h, joinHtml } from "../template.js";
import type { SectionContext } from "./common.js";

/**
 * Precision-driven sampling's design (decision 0022), only for a run that asked for a precision: per target the
 * precision asked, n / N, the stratified estimate and the confidence sequence's interval; then each target's strata
 * (n_h / N_h, weight N_h / N, rate). Every id goes through the template's escaping.
 */
export function samplingDesignSection(context: SectionContext): Html {
  const design = context.report.samplingDesign;
  if (design === undefined) return h``;
  const { t } = samplingMessagesFor(context.m.lang);
  const strata = joinHtml(
    design.targets.map(
      (target) => h`<h3>${t("strataOf", { target: target.targetId })}</h3>
${table(stratumColumns(t), target.strata.map(stratumCells), "sampling-strata")}`,
    ),
    "\n",
  );
  return h`<p class="note">${t("samplingNote", { seed: design.seed, confidence: `${Math.round(design.confidence * 100)}%` })}</p>
${table(
  samplingColumns(t),
  design.targets.map((target) => samplingCells(target, t)),
  "sampling",
)}
${strata}`;
}
