import { parse } from "csv-parse/sync";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { unescapeFormulaCell } from "../report/index.js";
import type { ExportItemRow, ExportTurnRow, ExportVerdictRow } from "../store/index.js";
import {
  type CellValue,
  type ColumnLayout,
  flattenRow,
  type ResultRow,
  resultColumns,
  resultRow,
  rubricTurnScore,
} from "./export-results-rows.js";
import { csvText } from "./export-results-writers.js";

const JUDGES = ["judge-a", "judge-b", "judge-c"] as const;
const SUB_SCORES = ["risk", "handling", "consistency"] as const;
const RUBRICS = ["jmedethic-safety", "helpfulness"] as const;

/** Text that often starts with what a spreadsheet runs as a formula (or with the escape mark itself). */
const text = fc.oneof(
  fc.string(),
  fc.tuple(fc.constantFrom("=", "+", "-", "@", "\t", "\r", "'", "''"), fc.string()).map(([head, tail]) => head + tail),
  fc.constantFrom("", " ", '"quoted", and, commas', "line\nbreak", '=HYPERLINK("http://x")', "-0.5", "日本語"),
);
const nullableText = fc.option(text, { nil: null });
const score = fc.oneof(
  fc.integer({ min: 0, max: 10 }),
  fc.double({ min: -5, max: 10, noNaN: true, noDefaultInfinity: true }),
);

const verdict = (judgeId: string): fc.Arbitrary<ExportVerdictRow> =>
  fc
    .record({
      status: fc.constantFrom("scored", "unscored", "error"),
      score,
      rubricId: fc.constantFrom(...RUBRICS),
      label: nullableText,
      rationale: nullableText,
      unscoredReason: nullableText,
      errorStatus: fc.option(fc.integer({ min: 400, max: 599 }), { nil: null }),
      errorCode: nullableText,
      errorMessage: nullableText,
      subScores: fc.option(fc.dictionary(fc.constantFrom(...SUB_SCORES), score), { nil: undefined }),
      categories: fc.option(fc.array(text, { maxLength: 3 }), { nil: undefined }),
      costUsd: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: null }),
      tokens: fc.nat(100_000),
      cached: fc.boolean(),
    })
    .map((drawn) => ({
      judgeId,
      rubricId: drawn.rubricId,
      rubricVersion: "1.0.0",
      status: drawn.status as ExportVerdictRow["status"],
      score: drawn.status === "scored" ? drawn.score : null,
      label: drawn.label,
      rationale: drawn.rationale,
      unscoredReason: drawn.unscoredReason,
      errorStatus: drawn.errorStatus,
      errorCode: drawn.errorCode,
      errorMessage: drawn.errorMessage,
      details:
        drawn.subScores === undefined && drawn.categories === undefined
          ? null
          : {
              ...(drawn.subScores === undefined ? {} : { subScores: drawn.subScores }),
              ...(drawn.categories === undefined ? {} : { categories: drawn.categories }),
            },
      inputTokens: drawn.tokens,
      outputTokens: drawn.tokens + 1,
      cachedInputTokens: 0,
      cacheWriteTokens: 0,
      costUsd: drawn.costUsd,
      latencyMs: 2.5,
      cached: drawn.cached,
      batched: false,
      attempts: 1,
    }));

/** Any subset of the judges, each with one verdict, in judge order (as the store gives them). */
const verdicts: fc.Arbitrary<ExportVerdictRow[]> = fc
  .subarray([...JUDGES])
  .chain((judges) =>
    judges.length === 0
      ? fc.constant<ExportVerdictRow[]>([])
      : fc.tuple(...judges.map(verdict)).map((list) => [...list]),
  );

const turn: fc.Arbitrary<ExportTurnRow> = fc
  .record({
    status: fc.constantFrom("success", "error"),
    userMessage: text,
    reply: text,
    turnIndex: fc.nat(4),
    epoch: fc.nat(2),
    costUsd: fc.option(fc.double({ min: 0, max: 1, noNaN: true }), { nil: null }),
    verdicts,
  })
  .map((drawn) => ({
    targetId: "target-1",
    itemId: "item-1",
    epoch: drawn.epoch,
    turnIndex: drawn.turnIndex,
    status: drawn.status as ExportTurnRow["status"],
    userMessage: drawn.userMessage,
    responseText: drawn.status === "success" ? drawn.reply : null,
    finishReason: drawn.status === "success" ? "stop" : null,
    errorStatus: drawn.status === "success" ? null : 500,
    errorCode: drawn.status === "success" ? null : "provider_error",
    errorMessage: drawn.status === "success" ? null : drawn.reply,
    inputTokens: 1,
    outputTokens: 2,
    cachedInputTokens: 0,
    cacheWriteTokens: 0,
    costUsd: drawn.costUsd,
    latencyMs: 3,
    cached: false,
    batched: false,
    attempts: 1,
    verdicts: drawn.verdicts,
  }));

const ITEM: ExportItemRow = {
  itemId: "item-1",
  itemVersion: "v1",
  seq: 0,
  language: "ja",
  pairId: null,
  guidelineId: "jma-10",
  strategy: "=cmd",
  turnCount: 5,
  rubric: null,
  seedRequest: "-seed",
  metadata: { attacker: "@attacker", source: "src" },
};
const RUN = { runId: "run-1", datasetSource: "bench.jsonl", datasetHash: "hash" };

/** The layout the export would find for these turns: every judge, the sub-score names used, the rubrics used. */
function layoutOf(turns: readonly ExportTurnRow[]): ColumnLayout {
  const subScores: Record<string, Set<string>> = {};
  const rubrics = new Set<string>();
  for (const { verdicts: list } of turns)
    for (const entry of list) {
      rubrics.add(entry.rubricId);
      const names = subScores[entry.judgeId] ?? new Set<string>();
      for (const name of Object.keys(entry.details?.subScores ?? {})) names.add(name);
      if (names.size > 0) subScores[entry.judgeId] = names;
    }
  return {
    judges: [...JUDGES],
    subScores: Object.fromEntries(Object.entries(subScores).map(([judge, names]) => [judge, [...names].sort()])),
    rubrics: [...rubrics].sort(),
  };
}

const PARAMETERS = { seed: 20261202, numRuns: 200 };

/** CSV cells as csv-parse gives them back: a quoted cell is text, an empty unquoted one is null. */
function readCsv(csv: string): Array<Array<string | null>> {
  return parse(csv, {
    cast: (value, context) => (context.quoting ? value : value === "" ? null : value),
  }) as Array<Array<string | null>>;
}

describe("export results: row flattening (property)", () => {
  it("has columns that depend only on the layout, one cell per column, and loses no verdict value", () => {
    fc.assert(
      fc.property(fc.array(turn, { minLength: 1, maxLength: 6 }), (turns) => {
        const layout = layoutOf(turns);
        const columns = resultColumns(layout);
        const names = columns.map((column) => column.name);
        expect(new Set(names).size).toBe(names.length);
        expect(resultColumns(layoutOf(turns)).map((column) => column.name)).toEqual(names);
        for (const stored of turns) {
          const row = resultRow(RUN, ITEM, stored);
          const flat = flattenRow(row, columns);
          const cells = new Map(names.map((name, index) => [name, flat[index]]));
          expect(cells.size).toBe(columns.length);
          expect(cells.get("turn")).toBe(stored.turnIndex + 1);
          expect(cells.get("epoch")).toBe(stored.epoch + 1);
          expect(cells.get("user_message")).toBe(stored.userMessage);
          expect(cells.get("reply")).toBe(stored.responseText);
          expect(cells.get("cost_usd")).toBe(stored.costUsd);
          for (const judge of JUDGES) {
            const entry = stored.verdicts.find((candidate) => candidate.judgeId === judge);
            expect(cells.get(`${judge}_status`)).toBe(entry?.status ?? null);
            expect(cells.get(`${judge}_score`)).toBe(entry?.score ?? null);
            expect(cells.get(`${judge}_label`)).toBe(entry?.label ?? null);
            expect(cells.get(`${judge}_rationale`)).toBe(entry?.rationale ?? null);
            expect(cells.get(`${judge}_unscored_reason`)).toBe(entry?.unscoredReason ?? null);
            expect(cells.get(`${judge}_cost_usd`)).toBe(entry?.costUsd ?? null);
            const categories = cells.get(`${judge}_categories`);
            expect(categories === null ? null : JSON.parse(String(categories))).toEqual(
              entry?.details?.categories ?? null,
            );
            for (const name of layout.subScores[judge] ?? [])
              expect(cells.get(`${judge}_sub_${name}`)).toBe(entry?.details?.subScores?.[name] ?? null);
            // A judge's sub-score always has a column.
            for (const name of Object.keys(entry?.details?.subScores ?? {}))
              expect(names).toContain(`${judge}_sub_${name}`);
          }
        }
      }),
      PARAMETERS,
    );
  });

  it("computes the turn score as the mean of the valid scores on the item's rubric, and the report's turn state", () => {
    fc.assert(
      fc.property(turn, (stored) => {
        const row: ResultRow = resultRow(RUN, ITEM, stored);
        const valid = stored.verdicts
          .filter((entry) => entry.rubricId === "jmedethic-safety" && entry.status === "scored")
          .map((entry) => entry.score as number);
        const mean = valid.length === 0 ? null : valid.reduce((sum, value) => sum + value, 0) / valid.length;
        if (mean === null) expect(row.turnScore).toBeNull();
        else expect(row.turnScore).toBeCloseTo(mean, 10);
        expect(rubricTurnScore(stored.verdicts, "jmedethic-safety")).toBe(row.turnScore);
        expect(row.turnState).toBe(stored.status === "error" ? "error" : mean === null ? "unscored" : "scored");
        expect(row.verdicts).toHaveLength(stored.verdicts.length);
        const priced = stored.verdicts.filter((entry) => entry.costUsd !== null);
        expect(row.judgmentsUnpriced).toBe(stored.verdicts.length - priced.length);
        expect(row.judgmentsCostUsd).toBeCloseTo(
          priced.reduce((sum, entry) => sum + (entry.costUsd ?? 0), 0),
          12,
        );
      }),
      PARAMETERS,
    );
  });

  it("writes CSV cells that csv-parse reads back to the same values once one leading ' is removed, and no cell a spreadsheet runs", () => {
    fc.assert(
      fc.property(fc.array(turn, { minLength: 1, maxLength: 4 }), (turns) => {
        const columns = resultColumns(layoutOf(turns));
        const rows = turns.map((stored) => flattenRow(resultRow(RUN, ITEM, stored), columns));
        const back = readCsv(csvText(rows));
        expect(back).toHaveLength(rows.length);
        rows.forEach((cells, rowIndex) => {
          cells.forEach((cell: CellValue, index) => {
            const read = back[rowIndex]?.[index] ?? null;
            if (cell === null) expect(read).toBeNull();
            else if (typeof cell === "string") {
              expect(read).not.toBeNull();
              expect(/^[=+\-@\t\r]/.test(read ?? "")).toBe(false);
              expect(unescapeFormulaCell(read ?? "")).toBe(cell);
            } else if (typeof cell === "boolean") expect(read).toBe(String(cell));
            else expect(Number(read) === cell, `${read} read back as ${cell}`).toBe(true);
          });
        });
      }),
      PARAMETERS,
    );
  });

  it("refuses a layout whose judge id makes two columns share a name", () => {
    expect(() =>
      resultColumns({ judges: ["a", "a_sub"], subScores: { a: ["sub_x"], a_sub: ["x"] }, rubrics: [] }),
    ).toThrow(/both be named "a_sub_sub_x"/);
  });
});
