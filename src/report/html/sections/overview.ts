import { escapeHtml } from "../escape.js";
import { label, type SectionContext } from "./common.js";

/** Run metadata: ids, hashes, rubrics, usage, thresholds and bootstrap settings. */
export function overviewSection(context: SectionContext): string {
  const { report } = context;
  const { run } = report;
  const rubrics = run.rubrics
    .map(
      (rubric) =>
        `${rubric.id}@${rubric.version}${rubric.scale === undefined ? "" : ` (${rubric.scale.min}–${rubric.scale.max})`}`,
    )
    .join(", ");
  const rows: Array<[string, string]> = [
    [label(context, "runId"), `<code>${escapeHtml(run.id)}</code>`],
    [label(context, "status"), escapeHtml(run.status)],
    [label(context, "created"), escapeHtml(run.createdAt)],
    [label(context, "finished"), escapeHtml(run.finishedAt ?? "–")],
    [label(context, "dataset"), escapeHtml(run.datasetSource)],
    [label(context, "datasetHash"), `<code>${escapeHtml(run.datasetHash)}</code>`],
    [label(context, "configHash"), `<code>${escapeHtml(run.configHash)}</code>`],
    [label(context, "rubrics"), escapeHtml(rubrics === "" ? "–" : rubrics)],
    [label(context, "packageVersion"), escapeHtml(run.packageVersion)],
    [label(context, "usage"), label(context, "usageValue", { ...run.usage })],
    [label(context, "passThreshold"), label(context, "passThresholdValue", { threshold: report.passThreshold })],
  ];
  const bootstrap = report.multiTurn?.bootstrap;
  if (bootstrap !== undefined) {
    rows.push([
      label(context, "bootstrap"),
      label(context, "bootstrapValue", {
        resamples: bootstrap.resamples,
        seed: bootstrap.seed,
        confidence: `${Math.round(bootstrap.confidence * 100)}%`,
      }),
    ]);
  }
  if (report.comparison !== undefined) {
    rows.push([
      label(context, "comparedRuns"),
      report.comparison.runs.map((id) => `<code>${escapeHtml(id)}</code>`).join(", "),
    ]);
  }
  return `<dl class="meta">${rows.map(([term, value]) => `<dt>${term}</dt><dd>${value}</dd>`).join("")}</dl>`;
}
