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

  it("costs: unpriced money is null (never 0), per-conversation columns in item id order", () => {
    const { costs } = JSON.parse(formatReportJson(report)) as {
      costs: {
        byRole: Record<string, { costUsd: number | null; calls: number }>;
        byJudge: Array<{ judgeId: string; costUsd: number | null; unpricedCalls: number }>;
        conversations: Array<{
          itemIds: string[];
          costUsd: Array<number | null>;
          distribution: { p90: number | null };
        }>;
      };
    };
    expect(costs.byRole["attacker"]).toMatchObject({ calls: 0, costUsd: null });
    expect(costs.byJudge[1]).toMatchObject({ judgeId: "judge-b", costUsd: 0.006, unpricedCalls: 6 });
    expect(costs.conversations[1]?.costUsd).toEqual([0.0038, 0.0038, null]);
    expect(costs.conversations[1]?.distribution.p90).toBeNull();
    expect(costs.conversations[0]?.itemIds).toEqual(["item-a", "item-b"]);
    // The per-conversation columns one line each; everything else indented.
    const text = formatReportJson(report);
    expect(text).toContain('"costUsd": [0.0038,0.0038,null]');
    expect(text).toContain('"itemIds": ["item-a","item-b"]');
    expect(text).toContain('{\n  "formatVersion": 1,\n');
  });

  it("writes the same report twice the same way (the columns' markers never reach the output)", () => {
    expect(formatReportJson(report)).toBe(formatReportJson(report));
    expect(formatReportJson(report)).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}:/);
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
    expect(JSON.parse(formatReportJson(report))).toEqual(JSON.parse(JSON.stringify(reportForJson(report))));
  });
});
