/**
 * Property-based tests of reports: random runs written through the real store API (any number of targets, judges,
 * languages, strategies; groups of size 0–3; all-equal scores; a judge missing; errors, unscored verdicts; cancelled
 * and unfinished runs; reviews), then every report format built from the store. Whatever the data, no format
 * throws, counts add up, rates and p-values stay in range or are not available, CIs contain their estimate, and the
 * CSV says what the JSON says.
 */
import { parse } from "csv-parse/sync";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { hashValue, judgmentKey, turnKey } from "../core/index.js";
import {
  type Db,
  ItemRepository,
  openStore,
  ResultRepository,
  ReviewRepository,
  RunRepository,
  type RunStatus,
} from "../store/index.js";
import { buildRunReport } from "./build/build-report.js";
import { loadReportExamples } from "./build/examples.js";
import { formatReportCsv } from "./format/csv/format-csv.js";
import { renderHtmlReport } from "./format/html/render-html.js";
import { formatReportJson } from "./format/json/format-json.js";
import { formatReportMarkdown } from "./format/markdown/format-markdown.js";
import { formatReportTable } from "./format/table/format-table.js";
import type { RunReport } from "./model/report-model.js";

/** Fixed seed: the same cases in every `npm test`; fast-check prints the seed and the shrunk case on failure. */
const SEED = 20261202;

const RUBRICS = {
  "jmedethic-safety": {
    id: "jmedethic-safety",
    version: "1.0.0",
    hash: "h-safety",
    scale: { min: 0, max: 10, higherIsSafer: true },
  },
  "medsafetybench-harm": {
    id: "medsafetybench-harm",
    version: "1.0.0",
    hash: "h-harm",
    scale: { min: 1, max: 5, higherIsSafer: false },
    flagAtOrAbove: 3,
  },
  helpfulness: {
    id: "helpfulness",
    version: "1.2.0",
    hash: "h-help",
    scale: { min: 0, max: 10, higherIsSafer: true },
    flagAtOrBelow: 2,
  },
} as const;
type RubricId = keyof typeof RUBRICS;

/** What a judge did on one turn: a score, an unscored answer, a failed call, or nothing stored (missing). */
type Verdict =
  | { readonly kind: "scored"; readonly score: number }
  | { readonly kind: "unscored" }
  | { readonly kind: "error" }
  | { readonly kind: "missing" };
/** One turn of a conversation: answered (with each judge's verdict), failed, or never stored (run stopped). */
type TurnPlan =
  | { readonly kind: "answered"; readonly verdicts: readonly Verdict[] }
  | { readonly kind: "error" }
  | { readonly kind: "absent" };

interface ItemPlan {
  readonly language: "ja" | "en";
  readonly strategy: string;
  readonly guideline: string;
  readonly rubric: RubricId;
  readonly turnCount: number;
  readonly pairId: string | undefined;
  /** Per target, the turns (a failed turn ends the conversation, as the runner does). */
  readonly conversations: readonly (readonly TurnPlan[])[];
}

interface RunPlan {
  readonly targets: readonly { readonly id: string; readonly category: string | undefined }[];
  readonly judges: readonly string[];
  readonly items: readonly ItemPlan[];
  readonly status: RunStatus;
  readonly passThreshold: number;
  /** Reviews: item index, target index, turn, score. */
  readonly reviews: readonly {
    readonly item: number;
    readonly target: number;
    readonly turn: number;
    readonly score: number;
  }[];
  readonly allEqual: number | undefined;
}

/** Ids as users write them, and as hostile files might: commas, quotes, formulas, Japanese, control characters. */
const label = fc.oneof(
  fc.constantFrom(
    "gpt",
    "llama-3",
    '=HYPERLINK("x")',
    'a,b "c"',
    "権威付け",
    "-1+2",
    "@SUM(A1)",
    "x\u001b[31my",
    "model|pipe",
  ),
  fc.stringMatching(/^[a-z][a-z0-9-]{0,6}$/),
);

function uniqueLabels(min: number, max: number): fc.Arbitrary<string[]> {
  return fc.uniqueArray(label, { minLength: min, maxLength: max });
}

function verdict(rubric: RubricId, allEqual: number | undefined): fc.Arbitrary<Verdict> {
  const { min, max } = RUBRICS[rubric].scale;
  const score = allEqual === undefined ? fc.integer({ min, max }) : fc.constant(Math.min(max, Math.max(min, allEqual)));
  return fc.oneof(
    { weight: 8, arbitrary: score.map((value): Verdict => ({ kind: "scored", score: value })) },
    { weight: 1, arbitrary: fc.constant<Verdict>({ kind: "unscored" }) },
    { weight: 1, arbitrary: fc.constant<Verdict>({ kind: "error" }) },
    { weight: 1, arbitrary: fc.constant<Verdict>({ kind: "missing" }) },
  );
}

function conversation(
  turnCount: number,
  judges: number,
  rubric: RubricId,
  allEqual: number | undefined,
): fc.Arbitrary<TurnPlan[]> {
  const turn = fc.oneof(
    {
      weight: 8,
      arbitrary: fc
        .array(verdict(rubric, allEqual), { minLength: judges, maxLength: judges })
        .map((verdicts): TurnPlan => ({ kind: "answered", verdicts })),
    },
    { weight: 1, arbitrary: fc.constant<TurnPlan>({ kind: "error" }) },
    { weight: 1, arbitrary: fc.constant<TurnPlan>({ kind: "absent" }) },
  );
  // A conversation ends at its first failed or absent turn (the runner sends nothing after it).
  return fc.array(turn, { minLength: turnCount, maxLength: turnCount }).map((turns) => {
    const end = turns.findIndex((planned) => planned.kind !== "answered");
    return end < 0
      ? turns
      : [...turns.slice(0, end + 1), ...turns.slice(end + 1).map((): TurnPlan => ({ kind: "absent" }))];
  });
}

const runPlan: fc.Arbitrary<RunPlan> = fc
  .record({
    targets: uniqueLabels(1, 3),
    judges: uniqueLabels(1, 3),
    categories: fc.array(fc.constantFrom(undefined, "medical", "general", "open"), { minLength: 3, maxLength: 3 }),
    allEqual: fc.option(fc.integer({ min: 0, max: 10 }), { nil: undefined }),
    status: fc.constantFrom<RunStatus>("success", "cancelled", "error", "started"),
    passThreshold: fc.constantFrom(2, 5, 10),
    itemShapes: fc.array(
      fc.record({
        language: fc.constantFrom("ja" as const, "en" as const),
        strategy: label,
        guideline: fc.constantFrom("jma-1-01", "jma-2-10", "ama-1", "=cmd|' /C calc'!A0"),
        rubric: fc.constantFrom<RubricId>(
          "jmedethic-safety",
          "jmedethic-safety",
          "jmedethic-safety",
          "medsafetybench-harm",
          "helpfulness",
        ),
        turnCount: fc.integer({ min: 1, max: 3 }),
        paired: fc.boolean(),
      }),
      { minLength: 0, maxLength: 7 },
    ),
  })
  .chain((shape) => {
    const conversations = shape.itemShapes.map((item) => {
      const turnCount = item.rubric === "jmedethic-safety" ? item.turnCount : 1;
      return fc.array(conversation(turnCount, shape.judges.length, item.rubric, shape.allEqual), {
        minLength: shape.targets.length,
        maxLength: shape.targets.length,
      });
    });
    const reviews = fc.array(
      fc.record({ item: fc.nat(), target: fc.nat(), turn: fc.nat({ max: 2 }), score: fc.integer({ min: 0, max: 10 }) }),
      { maxLength: 4 },
    );
    return fc.tuple(fc.tuple(...conversations), reviews).map(
      ([byItem, reviewPlans]): RunPlan => ({
        targets: shape.targets.map((id, index) => ({ id, category: shape.categories[index] })),
        judges: shape.judges,
        status: shape.status,
        passThreshold: shape.passThreshold,
        allEqual: shape.allEqual,
        reviews: reviewPlans,
        items: shape.itemShapes.map((item, index) => ({
          language: item.language,
          strategy: item.strategy,
          guideline: item.guideline,
          rubric: item.rubric,
          turnCount: item.rubric === "jmedethic-safety" ? item.turnCount : 1,
          pairId: item.paired ? `pair-${Math.floor(index / 2)}` : undefined,
          conversations: byItem[index] ?? [],
        })),
      }),
    );
  });

const RUN_ID = "20260101-000000-property";
const STAMP = "2026-01-01T00:00:00.000Z";

/** Writes the plan through the store's own repositories, as a run would. */
function writeRun(plan: RunPlan): Db {
  const { db } = openStore(":memory:");
  const runs = new RunRepository(db);
  const config = {
    targets: plan.targets.map((target) => ({
      id: target.id,
      model: "openai:x",
      ...(target.category === undefined ? {} : { category: target.category }),
    })),
    judges: plan.judges.map((id) => ({ id, model: "openai:y" })),
    passThreshold: plan.passThreshold,
  };
  const rubrics = [...new Set(plan.items.map((item) => item.rubric))].map((id) => RUBRICS[id]);
  runs.create({
    id: RUN_ID,
    config,
    configHash: hashValue(config),
    datasetSource: "property.jsonl",
    datasetHash: "d",
    itemCount: plan.items.length,
    rubrics,
    packageVersion: "test",
  });
  const itemIds = plan.items.map((_, index) => `item-${index}`);
  new ItemRepository(db).addBatch(
    RUN_ID,
    0,
    plan.items.map((item, index) => {
      const json = {
        id: itemIds[index],
        language: item.language,
        guidelineId: item.guideline,
        strategy: item.strategy,
        seedRequest: "seed",
        turns: Array.from({ length: item.turnCount }, (_, turn) => `turn ${turn}`),
        rubric: item.rubric,
        metadata: {},
        ...(item.pairId === undefined ? {} : { pairId: item.pairId }),
      };
      return {
        id: json.id ?? "",
        version: hashValue(json),
        language: item.language,
        pairId: item.pairId,
        guidelineId: item.guideline,
        strategy: item.strategy,
        turnCount: item.turnCount,
        json: JSON.stringify(json),
      };
    }),
  );
  const results = new ResultRepository(db);
  plan.items.forEach((item, itemIndex) => {
    const itemId = itemIds[itemIndex] ?? "";
    const version = hashValue(itemId);
    item.conversations.forEach((turns, targetIndex) => {
      const targetId = plan.targets[targetIndex]?.id ?? "";
      turns.forEach((turn, turnIndex) => {
        if (turn.kind === "absent") return;
        const key = turnKey({ runId: RUN_ID, itemId, itemVersion: version, targetId, turnIndex, epoch: 0 });
        const failed = turn.kind === "error";
        results.saveTurn({
          key,
          runId: RUN_ID,
          itemId,
          targetId,
          turnIndex,
          epoch: 0,
          status: failed ? "error" : "success",
          userMessage: `turn ${turnIndex}`,
          responseText: failed ? null : "reply",
          finishReason: failed ? null : "stop",
          errorCode: failed ? "provider_http" : null,
          errorStatus: failed ? 500 : null,
          errorMessage: failed ? "fixture failure" : null,
          inputTokens: 3,
          outputTokens: 2,
          latencyMs: 1,
          cached: false,
          attempts: 1,
          createdAt: STAMP,
        });
        if (turn.kind !== "answered") return;
        turn.verdicts.forEach((planned, judgeIndex) => {
          const judgeId = plan.judges[judgeIndex] ?? "";
          if (planned.kind === "missing") return;
          results.saveJudgment({
            key: judgmentKey(key, judgeId),
            turnKey: key,
            runId: RUN_ID,
            itemId,
            targetId,
            turnIndex,
            judgeId,
            status: planned.kind,
            score: planned.kind === "scored" ? planned.score : null,
            rationale: planned.kind === "scored" ? "r" : null,
            label:
              item.rubric === "helpfulness" && planned.kind === "scored"
                ? planned.score <= 2
                  ? "refuse"
                  : "comply"
                : null,
            rawText: planned.kind === "error" ? null : "raw",
            unscoredReason: planned.kind === "unscored" ? "no_json: the answer holds no JSON object" : null,
            errorCode: planned.kind === "error" ? "provider_http" : null,
            errorStatus: planned.kind === "error" ? 429 : null,
            errorMessage: planned.kind === "error" ? "busy" : null,
            rubricId: item.rubric,
            rubricVersion: RUBRICS[item.rubric].version,
            inputTokens: 5,
            outputTokens: 4,
            latencyMs: 1,
            cached: false,
            attempts: 1,
            createdAt: STAMP,
          });
        });
      });
    });
  });
  results.flush();
  const reviews = new ReviewRepository(db);
  for (const planned of plan.reviews) {
    const itemIndex = plan.items.length === 0 ? -1 : planned.item % plan.items.length;
    const item = plan.items[itemIndex];
    const targetIndex = planned.target % plan.targets.length;
    const turn = item?.conversations[targetIndex]?.[planned.turn];
    if (item === undefined || item.rubric !== "jmedethic-safety" || turn?.kind !== "answered") continue;
    reviews.add(
      {
        runId: RUN_ID,
        targetId: plan.targets[targetIndex]?.id ?? "",
        itemId: itemIds[itemIndex] ?? "",
        turnIndex: planned.turn,
        rubricId: "jmedethic-safety",
        score: planned.score,
        reason: "property review",
        reviewer: "prop",
      },
      new Date(STAMP),
    );
  }
  runs.setStatus(RUN_ID, plan.status, plan.status === "error" ? "fixture error" : null, new Date(STAMP));
  return db;
}

async function reportOf(db: Db, useReviews: boolean): Promise<RunReport> {
  const record = new RunRepository(db).resolve(RUN_ID);
  const passThreshold = (record.config as { passThreshold: number }).passThreshold;
  return buildRunReport(db, record, {
    passThreshold,
    bootstrap: { resamples: 50, seed: 1, confidence: 0.95 },
    threads: 1,
    ...(useReviews ? { useReviews: true } : {}),
  });
}

/** Every number in the report, with the path that leads to it. */
function* numbers(value: unknown, path: string[] = []): Generator<{ path: string[]; value: number }> {
  if (typeof value === "number") yield { path, value };
  else if (Array.isArray(value))
    for (const [index, entry] of value.entries()) yield* numbers(entry, [...path, String(index)]);
  else if (typeof value === "object" && value !== null)
    for (const [key, entry] of Object.entries(value)) yield* numbers(entry, [...path, key]);
}

/** Every object in the report (to check relations between sibling fields, e.g. a CI and its estimate). */
function* objects(value: unknown): Generator<Record<string, unknown>> {
  if (Array.isArray(value)) for (const entry of value) yield* objects(entry);
  else if (typeof value === "object" && value !== null) {
    yield value as Record<string, unknown>;
    for (const entry of Object.values(value)) yield* objects(entry);
  }
}

const PROBABILITY_KEYS =
  /^(pValue|pBonferroni|pHolm|rate|safetyPassRate|flaggedShare|overRefusal|refusedLabel|survival|confidence)$/;

function checkRanges(report: RunReport): void {
  for (const { path, value } of numbers(report)) {
    const where = path.join(".");
    expect(Number.isFinite(value), `${where} = ${value}`).toBe(true);
    const key = path.at(-1) ?? "";
    if (PROBABILITY_KEYS.test(key)) {
      expect(value, where).toBeGreaterThanOrEqual(0);
      expect(value, where).toBeLessThanOrEqual(1);
    }
    if (key === "icc21" || key === "krippendorffAlpha" || key === "kappa" || key === "rho")
      expect(value, where).toBeLessThanOrEqual(1 + 1e-9);
    if (key === "meanReliability") {
      expect(value, where).toBeGreaterThanOrEqual(0);
      expect(value, where).toBeLessThanOrEqual(1 + 1e-9);
    }
  }
  for (const object of objects(report)) {
    const low = object["ciLow"];
    const high = object["ciHigh"];
    const estimate = typeof object["mean"] === "number" ? object["mean"] : object["rate"];
    if (typeof low === "number" && typeof high === "number") {
      expect(low).toBeLessThanOrEqual(high + 1e-9);
      if (typeof estimate === "number") {
        expect(low, `CI [${low}, ${high}] of ${estimate}`).toBeLessThanOrEqual(estimate + 1e-9);
        expect(high, `CI [${low}, ${high}] of ${estimate}`).toBeGreaterThanOrEqual(estimate - 1e-9);
      }
    }
  }
}

/** Per target and turn, every multi-turn conversation is counted once: scored, unscored, error or not reached. */
function checkCounts(report: RunReport, plan: RunPlan): void {
  const multiTurn = plan.items.filter((item) => item.rubric === "jmedethic-safety");
  for (const [targetIndex, target] of plan.targets.entries()) {
    const summary = report.targets.find((entry) => entry.targetId === target.id);
    if (multiTurn.length === 0) continue;
    expect(summary, target.id).toBeDefined();
    expect(summary?.conversations).toBe(multiTurn.length);
    for (const row of summary?.turns ?? []) {
      const having = multiTurn.filter((item) => item.turnCount > row.turn).length;
      expect(row.scored + row.unscored + row.errors + row.notReached, `${target.id} turn ${row.turn}`).toBe(having);
    }
    const errors = multiTurn
      .flatMap((item) => item.conversations[targetIndex] ?? [])
      .filter((turn) => turn.kind === "error").length;
    expect(summary?.errorTurns).toBe(errors);
    expect(summary?.passedConversations ?? 0).toBeLessThanOrEqual(summary?.completeConversations ?? 0);
  }
  for (const judge of report.judges) {
    const judgeIndex = plan.judges.indexOf(judge.judgeId);
    const stored = plan.items
      .filter((item) => item.rubric === judge.rubricId)
      .flatMap((item) => item.conversations.flat())
      .flatMap((turn) => (turn.kind === "answered" ? [turn.verdicts[judgeIndex]] : []))
      .filter((verdict) => verdict !== undefined && verdict.kind !== "missing").length;
    expect(judge.scored + judge.unscored + judge.errors, `${judge.judgeId} on ${judge.rubricId}`).toBe(stored);
  }
}

/** The CSV's numbers are the JSON's: each target's Safety Pass Rate and conversations, each judge's counts. */
function checkCsvAgreesWithJson(report: RunReport, csv: string): void {
  const rows = parse(csv, { columns: true, skip_empty_lines: true }) as Record<string, string>[];
  const text = (value: string): string => (value.startsWith("'") ? value.slice(1) : value);
  const value = (section: string, target: string, metric: string): string | undefined =>
    rows.find(
      (row) =>
        row["section"] === section &&
        text(row["target"] ?? "") === target &&
        row["metric"] === metric &&
        row["dimension"] === "all" &&
        (row["turn"] ?? "") === "",
    )?.["value"];
  for (const target of report.targets) {
    expect(value("target", target.targetId, "conversations"), target.targetId).toBe(String(target.conversations));
    expect(value("target", target.targetId, "safety_pass_rate") ?? "", target.targetId).toBe(
      target.safetyPassRate === null ? "" : String(target.safetyPassRate),
    );
  }
}

describe("reports from random stores (property)", () => {
  it("every format builds from any store; counts add up; rates, p-values and reliabilities in range; CIs hold their estimate; CSV = JSON", async () => {
    await fc.assert(
      fc.asyncProperty(runPlan, fc.boolean(), async (plan, useReviews) => {
        const db = writeRun(plan);
        try {
          const report = await reportOf(db, useReviews);
          const json = formatReportJson(report);
          expect(() => JSON.parse(json) as unknown).not.toThrow();
          checkRanges(report);
          checkCounts(report, plan);
          checkCsvAgreesWithJson(report, formatReportCsv(report));
          formatReportTable(report);
          formatReportMarkdown(report, { lang: "en" });
          formatReportMarkdown(report, { lang: "ja" });
        } finally {
          db.close();
        }
      }),
      { seed: SEED, numRuns: 200 },
    );
  }, 300_000);

  it("the HTML report (charts included) renders from any store, in both languages", async () => {
    await fc.assert(
      fc.asyncProperty(runPlan, fc.constantFrom("en" as const, "ja" as const), async (plan, lang) => {
        const db = writeRun(plan);
        try {
          const report = await reportOf(db, false);
          const html = await renderHtmlReport(report, loadReportExamples(db, report), { lang });
          expect(html).toContain("<html");
        } finally {
          db.close();
        }
      }),
      { seed: SEED, numRuns: 30 },
    );
  }, 300_000);
});
