import { describe, expect, it } from "vitest";
import { fixtureReport } from "../../../../test/support/report-fixture.js";
import { formatReportJson, REPORT_FORMAT_VERSION, reportForJson } from "./format-json.js";

/** The JSON fields that name a turn, read back from `report --format json`. */
interface TurnFields {
  targets: Array<{ turns: Array<{ turn: number }>; turnTests: { pairs: Array<{ from: number; to: number }> } }>;
  multiTurn: { groups: Array<{ turns: Array<{ turn: number }>; survival: Array<{ turn: number }> }> };
  agreement: Array<{ largestDisagreements: Array<Record<string, unknown>> }>;
}

describe("formatReportJson", () => {
  const report = fixtureReport();
  const json = JSON.parse(formatReportJson(report)) as TurnFields;

  it("numbers every turn from 1: per-target turns, test pairs, grouped turns, survival, disagreements", () => {
    expect(report.targets[0]?.turns.map((turn) => turn.turn)).toEqual([0, 1]);
    expect(json.targets[0]?.turns.map((turn) => turn.turn)).toEqual([1, 2]);
    expect(json.targets[0]?.turnTests.pairs.map((pair) => [pair.from, pair.to])).toEqual([[1, 2]]);
    expect(json.multiTurn.groups[0]?.turns.map((turn) => turn.turn)).toEqual([1, 2]);
    expect(json.multiTurn.groups[0]?.survival.map((point) => point.turn)).toEqual([1, 2]);
    expect(json.agreement[0]?.largestDisagreements[0]).toMatchObject({ itemId: "item-c", turn: 2 });
    expect(json.agreement[0]?.largestDisagreements[0]).not.toHaveProperty("turnIndex");
  });

  it("starts with the layout version, formatVersion 1", () => {
    expect(Object.keys(json)[0]).toBe("formatVersion");
    expect(json).toMatchObject({ formatVersion: REPORT_FORMAT_VERSION });
    expect(REPORT_FORMAT_VERSION).toBe(1);
  });

  it("changes nothing else and leaves the model as it was", () => {
    const withoutTurns = (value: unknown): unknown =>
      JSON.parse(
        JSON.stringify(value, (key, field: unknown) =>
          ["turn", "turnIndex", "from", "to"].includes(key) ? undefined : field,
        ),
      );
    expect(withoutTurns(reportForJson(report))).toEqual({ formatVersion: 1, ...(withoutTurns(report) as object) });
    expect(report.agreement[0]?.largestDisagreements[0]?.turnIndex).toBe(1);
    expect(formatReportJson(report)).toBe(JSON.stringify(reportForJson(report), null, 2));
  });
});
