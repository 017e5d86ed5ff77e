import { available, type Estimate, notAvailable, spearmanRho, turnPasses } from "../../analysis/index.js";
import { builtinClassifierRubrics, DEFAULT_RUBRIC } from "../../judges/index.js";
import { type Db, type RubricReference, type RunRecord, scoredJudgmentsByTurn } from "../../store/index.js";
import type {
  PanelAgreement,
  PanelBinaryAgreement,
  PanelMember,
  PanelPair,
  PanelRankAgreement,
  SafetyReading,
} from "../model/panel-agreement-model.js";
import { rubricsUsed } from "./build-scale-summary.js";
import { valuesWithReasons } from "./not-available.js";
import { itemIndex, type TurnTable } from "./turn-table.js";

/** A member's valid scores per target (the turn table's targets order), at the table's cells; NaN: none. */
type Columns = Array<Float64Array | undefined>;

interface MemberData {
  readonly judgeId: string;
  readonly rubricId: string;
  readonly columns: Columns;
}

/**
 * The judge panel across rubrics (decision 0029) on the run's multi-turn turns: every judge on every rubric that
 * scored them is a member, e.g. two jmedethic-safety judges, a Llama Guard judge and a moderation judge (the last two
 * bound with `rubric: llama-guard` / `openai-moderation`). Judges on the multi-turn rubric come from the turn table;
 * judges on another rubric are read once from the store (their scored judgments, on the turns of the table's items).
 * Every pair is compared over the turns both scored: each score read as safe or unsafe (`SafetyReading`) in a 2 × 2
 * table with percent agreement and Cohen's kappa, and, when neither is a classifier, Spearman's rho of the scores.
 * Only judges on the multi-turn rubric enter the turn score; the others are secondary views reported here and in their
 * rubric's scale summary. Undefined when the members span fewer than two rubrics. O(pairs × turns) time.
 */
export function buildPanelAgreement(
  db: Db,
  run: RunRecord,
  table: TurnTable,
  passThreshold: number,
): PanelAgreement | undefined {
  if (table.itemIds.length === 0) return undefined;
  const members: MemberData[] = table.judges.flatMap((judgeId, judge) =>
    table.targets.some((target) => (target.judgmentCounts[judge]?.scored ?? 0) > 0)
      ? [{ judgeId, rubricId: DEFAULT_RUBRIC, columns: table.targets.map((target) => target.judgeScores[judge]) }]
      : [],
  );
  // Only a judge with its own `rubric:` scores the multi-turn items on another rubric: without one, nothing to read.
  const judges = (run.config as { judges?: Array<{ rubric?: string }> }).judges ?? [];
  if (!judges.some((judge) => judge.rubric !== undefined)) return undefined;
  for (const rubricId of rubricsUsed(db, run)) {
    if (rubricId !== DEFAULT_RUBRIC) members.push(...otherRubricMembers(db, run.id, rubricId, table));
  }
  if (new Set(members.map((member) => member.rubricId)).size < 2) return undefined;
  const classifiers = builtinClassifierRubrics();
  const described = members.map((member) =>
    describeMember(member, run.rubrics, passThreshold, classifiers.has(member.rubricId)),
  );
  const pairs: PanelPair[] = [];
  for (let first = 0; first < members.length; first += 1) {
    for (let second = first + 1; second < members.length; second += 1) {
      pairs.push(comparePair(members, described, first, second));
    }
  }
  return { passThreshold, members: described, pairs };
}

/** The judges of one other rubric, each with its scores at the table's cells (turns of items outside it are skipped). */
function otherRubricMembers(db: Db, runId: string, rubricId: string, table: TurnTable): MemberData[] {
  const items = itemIndex(table);
  const targets = new Map(table.targets.map((target, index) => [target.targetId, index]));
  const cells = table.itemIds.length * table.turns;
  const byJudge = new Map<string, MemberData>();
  for (const [, judgeId, score, targetId, itemId, turnIndex] of scoredJudgmentsByTurn(db, runId, rubricId)) {
    const item = items.get(itemId);
    const target = targets.get(targetId);
    if (item === undefined || target === undefined || turnIndex >= table.turns) continue;
    let member = byJudge.get(judgeId);
    if (member === undefined) {
      member = { judgeId, rubricId, columns: table.targets.map(() => undefined) };
      byJudge.set(judgeId, member);
    }
    let column = member.columns[target];
    if (column === undefined) {
      column = new Float64Array(cells).fill(Number.NaN);
      member.columns[target] = column;
    }
    const cell = item * table.turns + turnIndex;
    // One verdict per judge and turn (keys are deterministic); should there be more, the highest counts, as in the table.
    if (Number.isNaN(column[cell] ?? Number.NaN) || score > (column[cell] ?? 0)) column[cell] = score;
  }
  const order = new Map(table.judges.map((judgeId, index) => [judgeId, index]));
  return [...byJudge.values()].sort(
    (left, right) => (order.get(left.judgeId) ?? Infinity) - (order.get(right.judgeId) ?? Infinity),
  );
}

function describeMember(
  member: MemberData,
  rubrics: readonly RubricReference[],
  passThreshold: number,
  classifier: boolean,
): PanelMember {
  const { reading, threshold } = readingOf(
    rubrics.find((rubric) => rubric.id === member.rubricId),
    passThreshold,
  );
  let scoredTurns = 0;
  for (const column of member.columns) {
    if (column === undefined) continue;
    for (const value of column) if (!Number.isNaN(value)) scoredTurns += 1;
  }
  return {
    judgeId: member.judgeId,
    rubricId: member.rubricId,
    classifier,
    reading,
    threshold,
    inTurnScore: member.rubricId === DEFAULT_RUBRIC,
    scoredTurns,
  };
}

/**
 * How a rubric's score reads as safe or unsafe: a harm scale with a flag is unsafe from the flag; a 0–10 scale where
 * higher is safer, with no flag or a flag at its minimum (the classifiers' "unsafe" band), passes above the run's pass
 * threshold; any other rubric (over-refusal, refusal labels, a harm scale without a flag) has no safety reading.
 */
export function readingOf(
  rubric: RubricReference | undefined,
  passThreshold: number,
): { reading: SafetyReading; threshold: number | null } {
  const scale = rubric?.scale;
  if (rubric === undefined || scale === undefined) return { reading: "none", threshold: null };
  const { flagAtOrAbove, flagAtOrBelow } = rubric;
  if (!scale.higherIsSafer && flagAtOrAbove !== undefined) return { reading: "harm-flag", threshold: flagAtOrAbove };
  if (
    scale.higherIsSafer &&
    scale.min === 0 &&
    scale.max === 10 &&
    (flagAtOrBelow === undefined || flagAtOrBelow === scale.min)
  ) {
    return { reading: "pass-threshold", threshold: passThreshold };
  }
  return { reading: "none", threshold: null };
}

function isUnsafe(member: PanelMember, score: number): boolean {
  return member.reading === "harm-flag"
    ? score >= (member.threshold ?? Infinity)
    : !turnPasses(score, member.threshold ?? 0);
}

function comparePair(
  data: readonly MemberData[],
  members: readonly PanelMember[],
  first: number,
  second: number,
): PanelPair {
  const a = members[first] as PanelMember;
  const b = members[second] as PanelMember;
  const binary = a.reading !== "none" && b.reading !== "none";
  const graded = !a.classifier && !b.classifier;
  const counts = { bothSafe: 0, bothUnsafe: 0, firstOnlyUnsafe: 0, secondOnlyUnsafe: 0 };
  const firstScores: number[] = [];
  const secondScores: number[] = [];
  let bothScored = 0;
  const firstColumns = (data[first] as MemberData).columns;
  const secondColumns = (data[second] as MemberData).columns;
  firstColumns.forEach((firstColumn, target) => {
    const secondColumn = secondColumns[target];
    if (firstColumn === undefined || secondColumn === undefined) return;
    for (let cell = 0; cell < firstColumn.length; cell += 1) {
      const x = firstColumn[cell] ?? Number.NaN;
      const y = secondColumn[cell] ?? Number.NaN;
      if (Number.isNaN(x) || Number.isNaN(y)) continue;
      bothScored += 1;
      if (graded) {
        firstScores.push(x);
        secondScores.push(y);
      }
      if (!binary) continue;
      const unsafeX = isUnsafe(a, x);
      const unsafeY = isUnsafe(b, y);
      if (unsafeX && unsafeY) counts.bothUnsafe += 1;
      else if (unsafeX) counts.firstOnlyUnsafe += 1;
      else if (unsafeY) counts.secondOnlyUnsafe += 1;
      else counts.bothSafe += 1;
    }
  });
  return {
    first,
    second,
    bothScored,
    binary: binary ? binaryAgreement(counts, bothScored) : null,
    rank: graded ? rankAgreement(firstScores, secondScores) : null,
  };
}

/** Percent agreement and Cohen's kappa (po − pe) / (1 − pe) of a 2 × 2 table. */
export function binaryAgreement(
  counts: Omit<PanelBinaryAgreement, "n" | "percentAgreement" | "kappa" | "notAvailable">,
  n: number,
): PanelBinaryAgreement {
  const { bothSafe, bothUnsafe, firstOnlyUnsafe, secondOnlyUnsafe } = counts;
  let kappa: Estimate = notAvailable("too-few-observations");
  if (n > 0) {
    const observed = (bothSafe + bothUnsafe) / n;
    const firstUnsafe = (bothUnsafe + firstOnlyUnsafe) / n;
    const secondUnsafe = (bothUnsafe + secondOnlyUnsafe) / n;
    const expected = firstUnsafe * secondUnsafe + (1 - firstUnsafe) * (1 - secondUnsafe);
    kappa = expected >= 1 ? notAvailable("no-variance") : available((observed - expected) / (1 - expected));
  }
  return {
    n,
    ...counts,
    percentAgreement: n === 0 ? null : (bothSafe + bothUnsafe) / n,
    ...valuesWithReasons({ kappa }),
  };
}

function rankAgreement(first: readonly number[], second: readonly number[]): PanelRankAgreement {
  const rho = spearmanRho(first, second);
  const spearman: Estimate =
    rho !== null ? available(rho) : notAvailable(first.length < 2 ? "too-few-observations" : "no-variance");
  return { n: first.length, ...valuesWithReasons({ spearman }) };
}
