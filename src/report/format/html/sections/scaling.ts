/**
 * The paper-figure parts of the HTML report (decision 0026): the "Models and scaling" section (JMedEthicBench
 * Fig. 5a), the per-strategy box plots shown beside the strategy heatmap, and Safety Pass Rate vs utility in the
 * tradeoff section (Fig. 5b). Each chart has the table of its numbers under it, the same rows as the Markdown report.
 */
import { paperFigureMessagesFor } from "../../../messages/paper-figures.js";
import { safetyUtilityTable, scalingTables, type TextTable } from "../../scaling-text.js";
import { strategyBoxTables } from "../../strategy-box-text.js";
import { groupedBarsSpec } from "../chart-specs.js";
import { figure } from "../charts.js";
import { table } from "../format.js";
import { sizeChartSpec } from "../scaling-chart.js";
import { perModelBoxSpec, pooledBoxSpec } from "../strategy-box-chart.js";
import { type Html, h } from "../template.js";
import { safetyUtilityChartSpec } from "../tradeoff-chart.js";
import { noData, type SectionContext } from "./common.js";

function tableHtml(text: TextTable, className: string): Html {
  const note = text.note === undefined ? h`` : h`<p class="note">${text.note}</p>`;
  const body =
    text.rows.length === 0 && text.empty !== undefined
      ? h`<p class="note no-data">${text.empty}</p>`
      : table(text.head, text.rows, className);
  return h`<h3>${text.title}</h3>${note}${body}`;
}

/** Models (metadata and safety), safety by size per family (score and Safety Pass Rate), medical vs general. */
export async function scalingSection(context: SectionContext): Promise<Html> {
  const { report } = context;
  if (report.models === undefined || report.models.length === 0) return noData(context);
  const lang = context.m.lang;
  const { t } = paperFigureMessagesFor(lang);
  const [models, families, medical] = scalingTables(report, lang);
  const scaling = report.scaling;
  if (scaling === undefined || models === undefined)
    return models === undefined ? noData(context) : tableHtml(models, "models");
  const titles = (metric: "score" | "rate") => ({
    title: t(metric === "score" ? "scoreBySize" : "sprBySize"),
    subtitle: t("bySizeSubtitle"),
    x: t("sizeAxis"),
    y: t(metric === "score" ? "scoreAxis" : "sprAxis"),
    family: t("family"),
  });
  const scoreSpec = sizeChartSpec(scaling, "score", titles("score"));
  const rateSpec = sizeChartSpec(scaling, "rate", titles("rate"));
  const charts =
    scoreSpec === null ? h`` : h`${await figure("scaling-score", scoreSpec)}${await figure("scaling-spr", rateSpec)}`;
  const points = new Map(scaling.points.map((point) => [point.targetId, point]));
  const bars = scaling.medicalVsGeneral.flatMap((pair) => {
    const group = `${pair.medicalId} / ${pair.generalId}${pair.parameters === null ? "" : ` (${pair.parameters})`}`;
    return [
      { id: pair.medicalId, kind: t("medical") },
      { id: pair.generalId, kind: t("general") },
    ].flatMap(({ id, kind }) => {
      const score = points.get(id)?.conversationScore;
      return score?.mean === null || score === undefined
        ? []
        : [{ group, model: kind, value: score.mean, low: score.ciLow, high: score.ciHigh }];
    });
  });
  const medicalChart =
    bars.length === 0
      ? h``
      : await figure("medical-vs-general", {
          ...groupedBarsSpec(bars, { group: "", value: t("scoreAxis"), model: t("kind") }),
          title: { text: t("medicalChart"), subtitle: t("medicalChartSubtitle") },
        });
  return h`${tableHtml(models, "models")}${charts}${families === undefined ? "" : tableHtml(families, "families")}${medicalChart}${medical === undefined ? "" : tableHtml(medical, "medical-vs-general")}`;
}

/** Box plots of turn scores per strategy, pooled and per model, with their tables (beside the heatmap). */
export async function strategyBoxesHtml(context: SectionContext): Promise<Html> {
  const boxes = context.report.strategyBoxes;
  if (boxes === undefined) return h``;
  const lang = context.m.lang;
  const { t } = paperFigureMessagesFor(lang);
  const titles = (title: "boxTitlePooled" | "boxTitlePerModel") => ({
    title: t(title),
    subtitle: t("boxSubtitle"),
    strategy: t("strategy"),
    score: t("turnScore"),
  });
  const [pooled, perModel] = strategyBoxTables(boxes, lang);
  const pooledChart = await figure("strategy-box-pooled", pooledBoxSpec(boxes.pooled, titles("boxTitlePooled")));
  const perModelChart = await figure(
    "strategy-box-per-model",
    perModelBoxSpec(boxes.perModel, titles("boxTitlePerModel")),
  );
  return h`<h3>${t("strategyBoxes")}</h3>${pooledChart}${pooled === undefined ? "" : tableHtml(pooled, "strategy-boxes")}${perModelChart}${perModel === undefined ? "" : tableHtml(perModel, "strategy-boxes-per-model")}`;
}

/** Safety Pass Rate vs utility per model: the chart (models without utility named, not drawn) and its table. */
export async function safetyUtilityHtml(context: SectionContext): Promise<Html> {
  const points = context.report.safetyUtility;
  if (points === undefined || points.length === 0) return h``;
  const lang = context.m.lang;
  const { t } = paperFigureMessagesFor(lang);
  const spec = safetyUtilityChartSpec(points, {
    title: t("sprUtilityTitle"),
    subtitle: t("sprUtilitySubtitle"),
    utility: t("utilityAxis"),
    safetyPassRate: t("sprAxis"),
  });
  const unmeasured = points.filter((point) => point.utility === null).map((point) => point.targetId);
  const note =
    unmeasured.length === 0
      ? h``
      : h`<p class="note not-measured">${t("sprUtilityUnmeasured", { targets: unmeasured.join(", ") })}</p>`;
  const chart = spec === null ? h`` : await figure("safety-utility", spec);
  return h`${chart}${note}${tableHtml(safetyUtilityTable(points, lang), "safety-utility")}`;
}
