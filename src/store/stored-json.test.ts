import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MedsafetyError } from "../core/index.js";
import { parseStoredJson } from "./stored-json.js";

describe("parseStoredJson", () => {
  it("gives back what JSON.stringify stored", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(parseStoredJson(JSON.stringify(value), "runs.config_json")).toEqual(JSON.parse(JSON.stringify(value)));
      }),
      { seed: 20261202 },
    );
  });

  it("turns text changed outside medsafety into a store_error naming the column", () => {
    let caught: unknown;
    try {
      parseStoredJson("{broken", "items.json");
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(MedsafetyError);
    expect((caught as MedsafetyError).code).toBe("store_error");
    expect((caught as MedsafetyError).message).toMatch(/items\.json .*not valid JSON.*store check/);
  });
});
