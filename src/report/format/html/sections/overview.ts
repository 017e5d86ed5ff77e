import { type Html, h, joinHtml } from "../template.js";
import { label, type SectionContext } from "./common.js";

/** Run metadata: ids, hashes, rubrics, usage, thresholds and bootstrap settings. */
export function overviewSection(context: SectionContext): Html {
  const { report } = context;
  const { run } = report;
  const rubrics = run.rubrics
    .map(
      (rubric) =>
        `${rubric.id}@${rubric.version}${rubric.scale === undefined ? "" : ` (${rubric.scale.min}–${rubric.scale.max})`}`,
    )
    .join(", ");
  const rows: Array<[string, Html | string]> = [
    [label(context, "runId"), h`<code>${run.id}</code>`],
    [label(context, "status"), run.status],
    [label(context, "created"), run.createdAt],
    [label(context, "finished"), run.finishedAt ?? "–"],
    [label(context, "dataset"), run.datasetSource],
    [label(context, "datasetHash"), h`<code>${run.datasetHash}</code>`],
    [label(context, "configHash"), h`<code>${run.configHash}</code>`],
    [label(context, "rubrics"), rubrics === "" ? "–" : rubrics],
    [label(context, "packageVersion"), run.packageVersion],
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
      joinHtml(
        report.comparison.runs.map((id) => h`<code>${id}</code>`),
        ", ",
      ),
    ]);
  }
  return h`<dl class="meta">${rows.map(([term, value]) => h`<dt>${term}</dt><dd>${value}</dd>`)}</dl>`;
}
