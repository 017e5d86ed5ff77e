import { turnNumber, turnPairLabel } from "../../../../core/index.js";
import { bonferroniFamilyText } from "../../../messages/pooled.js";
import { declineSpec, type LinePoint, survivalSpec } from "../chart-specs.js";
import { figure } from "../charts.js";
import { type Cell, counts, interval, num, pValue, table } from "../format.js";
import { type Html, h } from "../template.js";
import { countLabels, groupsOf, label, noData, type SectionContext } from "./common.js";

/** Per-turn means per model: from the grouped statistics (with CIs) when present, else from the per-target summaries. */
export function declinePoints(context: SectionContext): LinePoint[] {
  const overall = groupsOf(context.report, "all").filter((group) => group.targetId !== null);
  if (overall.length > 0) {
    return overall.flatMap((group) =>
      group.turns.flatMap((turn) =>
        turn.mean === null
          ? []
          : [
              {
                model: group.targetId ?? "",
                turn: turnNumber(turn.turn),
                value: turn.mean,
                low: turn.ciLow,
                high: turn.ciHigh,
              },
            ],
      ),
    );
  }
  return context.report.targets.flatMap((target) =>
    target.turns.flatMap((turn) =>
      turn.mean === null
        ? []
        : [{ model: target.targetId, turn: turnNumber(turn.turn), value: turn.mean, low: null, high: null }],
    ),
  );
}

export async function declineSection(context: SectionContext): Promise<Html> {
  const { report } = context;
  const points = declinePoints(context);
  if (points.length === 0) return noData(context);
  const titles = { turn: context.m.t("turn"), score: context.m.t("score"), model: context.m.t("model") };
  const chart = await figure("decline", declineSpec(points, titles), label(context, "declineNote"));
  const maxTurns = Math.max(...report.targets.map((target) => target.turns.length));
  const overall = groupsOf(report, "all");
  const turnRows = report.targets.map((target): Cell[] => [
    target.targetId,
    ...Array.from({ length: maxTurns }, (_, index): Cell => {
      const turn = target.turns[index];
      if (turn === undefined) return "";
      const grouped = overall
        .find((group) => group.targetId === target.targetId)
        ?.turns.find((entry) => entry.turn === index);
      const decline = grouped?.decline;
      const change =
        decline === null || decline === undefined || decline.mean === null
          ? ""
          : h`<span class="counts">Δ ${num(decline.mean)} ${interval(decline.ciLow, decline.ciHigh)}</span>`;
      return h`<strong>${num(turn.mean)}</strong> <span class="muted">${interval(grouped?.ciLow, grouped?.ciHigh)}</span>${counts(
        { n: turn.scored, unscored: turn.unscored, errors: turn.errors, notReached: turn.notReached },
        countLabels(context),
      )}${change}`;
    }),
  ]);
  const turnTable = table(
    [
      label(context, "model"),
      ...Array.from({ length: maxTurns }, (_, index) => `${label(context, "turn")} ${turnNumber(index)}`),
    ],
    turnRows,
    "turns",
  );
  return h`${chart}${turnTable}${testsTable(context)}${await survivalChart(context)}`;
}

function testsTable(context: SectionContext): Html {
  const rows = context.report.targets.flatMap((target) =>
    target.turnTests.pairs.map((pair): Cell[] => [
      target.targetId,
      turnPairLabel(pair.from, pair.to),
      pair.mannWhitney === null
        ? "–"
        : h`U=${num(pair.mannWhitney.u, 1)}, p=${pValue(pair.mannWhitney.pValue)}, p<sub>Bonf</sub>=${pValue(pair.mannWhitney.pBonferroni)}`,
      num(pair.cohensD),
      pair.wilcoxon === null ? "–" : `p=${pValue(pair.wilcoxon.pValue)}, n=${pair.wilcoxon.n}`,
    ]),
  );
  const friedman = context.report.targets.map((target) => {
    const test = target.turnTests.friedman;
    return `${target.targetId}: ${test === null ? "–" : `χ²=${num(test.statistic)}, df=${test.degreesOfFreedom}, p=${pValue(test.pValue)}, n=${test.n}`}`;
  });
  if (rows.length === 0) return h``;
  return h`<h3>${label(context, "turnTests")}</h3>${table(
    (["model", "pair", "mannWhitney", "cohensD", "wilcoxon"] as const).map((key) => label(context, key)),
    rows,
    "turn-tests",
  )}<p class="muted">${label(context, "friedman")}: ${friedman.join("; ")}</p><p class="muted">${context.report.targets
    .map((target) => `${target.targetId}: ${bonferroniFamilyText(context.m.lang, target.turnTests.bonferroni)}`)
    .join(" ")}</p>`;
}

async function survivalChart(context: SectionContext): Promise<Html> {
  const points = groupsOf(context.report, "all").flatMap((group) =>
    group.survival.flatMap((point) =>
      point.survival === null
        ? []
        : [{ model: group.targetId ?? "", turn: turnNumber(point.turn), value: point.survival, low: null, high: null }],
    ),
  );
  if (points.length === 0) return h``;
  const titles = { turn: context.m.t("turn"), share: context.m.t("survivalAxis"), model: context.m.t("model") };
  return h`<h3>${label(context, "survival")}</h3>${await figure("survival", survivalSpec(points, titles))}`;
}
