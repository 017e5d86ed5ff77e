import { describe, expect, it } from "vitest";
import { chunkQuery, itemQuery, rubricCondition, scoreConditions } from "./conversation-filter-queries.js";

const RUN = "run-1";

describe("conversation filters → SQL", () => {
  it("item filters become equality conditions with named parameters", () => {
    expect(itemQuery(RUN, { strategy: "s", language: "ja" })).toEqual({
      sql: "SELECT item_id FROM run_items INDEXED BY run_items_item WHERE run_id = @run AND strategy = @strategy AND language = @language ORDER BY item_id",
      params: { run: RUN, strategy: "s", language: "ja" },
    });
    expect(scoreConditions({ minScore: 1, maxScore: 3, disagreement: 4 })).toEqual({
      sql: "s.mean >= @minScore AND s.mean <= @maxScore AND s.scored >= 2 AND s.spread >= @disagreement",
      params: { minScore: 1, maxScore: 3, disagreement: 4 },
    });
    expect(rubricCondition(["a", "b"])).toEqual({
      sql: "j.rubric_id IN (@rubric0, @rubric1)",
      params: { rubric0: "a", rubric1: "b" },
    });
    // Values never enter the SQL text.
    const hostile = "x' OR 1=1 --";
    expect(itemQuery(RUN, { guideline: hostile }).sql).not.toContain(hostile);
    expect(chunkQuery({ minScore: 2 }, false, ["jmedethic-safety"], "all").sql).toContain("BETWEEN @first AND @last");
    expect(chunkQuery({ state: "error" }, true, ["r"], "seek").sql).toMatch(
      /json_each\(@items\).*t.status = 'error'.*DESC/s,
    );
  });

  it("PostgreSQL's statements name no index and read a chunk's ids from the JSON array parameter", () => {
    expect(itemQuery(RUN, { strategy: "s" }, "postgres")).toEqual({
      sql: "SELECT item_id FROM run_items WHERE run_id = @run AND strategy = @strategy ORDER BY item_id",
      params: { run: RUN, strategy: "s" },
    });
    for (const mode of ["seek", "range", "all"] as const)
      for (const filter of [{ minScore: 2 }, { state: "error" as const }, { state: "unscored" as const }]) {
        const { sql } = chunkQuery(filter, false, ["r"], mode, "postgres");
        expect(sql).not.toMatch(/INDEXED BY|json_each|\+[jt]\./);
        expect(sql.includes("jsonb_array_elements_text(@items::jsonb)"), `${mode} ${JSON.stringify(filter)}`).toBe(
          mode !== "all",
        );
      }
  });
});
