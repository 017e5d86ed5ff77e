import { turnNumber } from "../../../../core/index.js";
import { conversationAnchor } from "../../../model/anchors.js";
import { barsSpec, type SimpleBar, scatterSpec } from "../chart-specs.js";
import { figure } from "../charts.js";
import { type Cell, coefficient, notAvailableNote, num, table } from "../format.js";
import { type Html, h, joinHtml } from "../template.js";
import { label, noData, type SectionContext } from "./common.js";

/** Judges, judge pairs, agreement coefficients, a judge-vs-judge bubble chart, ICC by group, largest disagreements. */
export async function judgesSection(context: SectionContext): Promise<Html> {
  const { report } = context;
  if (report.judges.length === 0) return noData(context);
  const judges = table(
    (["judge", "rubric", "nScored", "unscored", "errors", "meanScore"] as const).map((key) => label(context, key)),
    report.judges.map((judge) => [
      judge.judgeId,
      judge.rubricId,
      String(judge.scored),
      String(judge.unscored),
      String(judge.errors),
      num(judge.mean),
    ]),
    "judges",
  );
  const pairs =
    report.judgePairs.length === 0
      ? ""
      : h`<h3>${label(context, "judgePairs")}</h3>${table(
          [
            label(context, "judge"),
            label(context, "rubric"),
            "n",
            label(context, "meanAbsDiff"),
            label(context, "disagreements"),
          ],
          report.judgePairs.map((pair) => [
            pair.judges.join(" × "),
            pair.rubricId,
            String(pair.n),
            num(pair.meanAbsoluteDifference),
            `${pair.disagreements} (> ${pair.threshold})`,
          ]),
          "judge-pairs",
        )}`;
  return h`${judges}${pairs}<h3>${label(context, "agreement")}</h3>${agreementTable(context)}${await scatterCharts(context)}${await byGroupChart(context)}${disagreements(context)}${humanReview(context)}`;
}

/** Only when the run has reviews (or --use-reviews), so reports of runs without reviews are unchanged. */
function humanReview(context: SectionContext): Html {
  const review = context.report.humanReview;
  if (review === undefined) return h``;
  const note = review.reviewedScoresUsed
    ? label(context, "humanReviewUsed", { reviewed: review.reviewedTurns, scored: review.turnsScoredByReview })
    : label(context, "humanReviewNote", { reviewed: review.reviewedTurns, rubric: review.rubricId });
  const rows = review.agreement.map((entry): Cell[] => [
    entry.kind === "judges-mean" ? label(context, "judgesMean") : entry.rater,
    String(entry.n),
    num(entry.meanAbsoluteDifference),
    coefficient(entry.icc21, entry.notAvailable?.icc21, context.m.lang),
    coefficient(entry.kappa, entry.notAvailable?.kappa, context.m.lang),
  ]);
  const head = [
    label(context, "rater"),
    "n",
    label(context, "meanAbsHumanDiff"),
    label(context, "icc"),
    label(context, "kappa"),
  ];
  return h`<h3 id="human-review">${label(context, "humanReview")}</h3><p class="note">${note}</p>${table(head, rows, "human-review")}${notAvailableNote(review.agreement, context.m.lang)}`;
}

function agreementTable(context: SectionContext): Html {
  const { lang } = context.m;
  const rows = context.report.agreement.map((entry): Cell[] => [
    entry.rubricId,
    entry.judges.join(", "),
    `${entry.completeTurns} / ${entry.incompleteTurns}`,
    coefficient(entry.icc21, entry.notAvailable?.icc21, lang),
    coefficient(entry.meanReliability, entry.notAvailable?.meanReliability, lang),
    coefficient(entry.krippendorffAlpha, entry.notAvailable?.krippendorffAlpha, lang),
    joinHtml(
      entry.pairs.map(
        (pair) =>
          h`${pair.judges.join(" × ")}: ${coefficient(pair.kappa, pair.notAvailable?.kappa, lang)} (n=${pair.n})`,
      ),
      h`<br>`,
    ),
  ]);
  if (rows.length === 0) return noData(context);
  const head = [
    label(context, "rubric"),
    label(context, "judge"),
    label(context, "completeTurns"),
    label(context, "icc"),
    label(context, "meanReliability"),
    label(context, "alpha"),
    label(context, "kappa"),
  ];
  return h`${table(head, rows, "agreement")}${notAvailableNote(
    context.report.agreement.flatMap((entry) => [entry, ...entry.pairs]),
    lang,
  )}`;
}

async function scatterCharts(context: SectionContext): Promise<Html> {
  const charts = await Promise.all(
    context.examples.judgeScatter
      .filter((entry) => entry.counts.length > 0)
      .map((entry) => {
        const scale = context.report.run.rubrics.find((rubric) => rubric.id === entry.rubricId)?.scale;
        const domain: [number, number] = scale === undefined ? [0, 10] : [scale.min, scale.max];
        const points = entry.counts.map((cell) => ({ model: "", x: cell.a, y: cell.b, size: cell.count }));
        const sampled =
          entry.sampledItems < entry.totalItems
            ? ` ${label(context, "judgeScatterSample", { sample: entry.samplePerStrategy, sampled: entry.sampledItems, total: entry.totalItems })}`
            : "";
        const caption =
          label(context, "judgeScatter", {
            a: entry.judges[0],
            b: entry.judges[1],
            rubric: entry.rubricId,
            n: entry.turns,
          }) + sampled;
        return figure(
          "judge-scatter",
          scatterSpec(points, { x: entry.judges[0], y: entry.judges[1], size: context.m.t("count") }, domain),
          caption,
        );
      }),
  );
  return h`${charts}`;
}

/** One chart per rubric (coefficients of different scales never share an axis), bars from 0. */
async function byGroupChart(context: SectionContext): Promise<Html> {
  const titles = { label: context.m.t("group"), value: context.m.t("icc"), series: context.m.t("group") };
  const charts = await Promise.all(
    context.report.agreement.map(async (entry) => {
      const bars: SimpleBar[] = entry.byGroup.flatMap((group) =>
        group.icc21 === null
          ? []
          : [
              {
                label: `${group.dimension}: ${group.group}`,
                value: group.icc21,
                low: null,
                high: null,
                series: group.dimension,
              },
            ],
      );
      if (bars.length === 0) return null;
      // ICC(2,1) can fall far below −1 in small groups; the axis stays [−1, 1] (bars are clipped) so the others stay readable.
      const spec = barsSpec(bars, titles, [Math.max(-1, Math.min(0, ...bars.map((bar) => bar.value))), 1], {
        baseline: 0,
      });
      const clipped = bars.filter((bar) => bar.value < -1).map((bar) => bar.label);
      const caption = clipped.length === 0 ? undefined : label(context, "iccClipped", { groups: clipped.join(", ") });
      return h`<h4>${entry.rubricId}</h4>${await figure(`icc-by-group-${entry.rubricId}`, spec, caption)}`;
    }),
  );
  const drawn = charts.filter((chart) => chart !== null);
  return drawn.length === 0 ? h`` : h`<h3>${label(context, "iccByGroup")}</h3>${drawn}`;
}

function disagreements(context: SectionContext): Html {
  const anchors = new Set(context.examples.conversations.map((conversation) => conversation.anchor));
  const rows = context.report.agreement.flatMap((entry) =>
    entry.largestDisagreements.slice(0, 20).map((item): Cell[] => {
      const anchor = conversationAnchor(item.targetId, item.itemId);
      const itemCell = anchors.has(anchor) ? h`<a href="#${anchor}">${item.itemId}</a>` : item.itemId;
      const scores = Object.entries(item.scores)
        .map(([judge, score]) => `${judge} ${num(score, 1)}`)
        .join(", ");
      return [
        entry.rubricId,
        item.targetId,
        itemCell,
        String(turnNumber(item.turnIndex)),
        item.language,
        item.strategy,
        scores,
        num(item.spread, 1),
      ];
    }),
  );
  if (rows.length === 0) return h``;
  return h`<h3>${label(context, "largestDisagreements")}</h3>${table(
    (["rubric", "model", "item", "turn", "language", "strategyAxis", "verdicts", "spread"] as const).map((key) =>
      label(context, key),
    ),
    rows,
    "disagreements",
  )}`;
}
