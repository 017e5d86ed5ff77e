import { describe, expect, it } from "vitest";
import { inCi, type Requirement, skipWithout } from "./requirements.js";

const MISSING: Requirement = { what: "a thing", path: "/nonexistent/thing", fix: "install the thing" };

describe("skipWithout", () => {
  it("does not skip what is present", () => {
    expect(skipWithout(MISSING, true, {})).toBe(false);
    expect(skipWithout(MISSING, true, { CI: "true" })).toBe(false);
  });

  it("skips a missing requirement outside CI, saying what is missing and how to get it", () => {
    const said: string[] = [];
    expect(skipWithout(MISSING, false, {}, (line) => said.push(line))).toBe(true);
    expect(skipWithout(MISSING, false, { CI: "false" }, (line) => said.push(line))).toBe(true);
    expect(said).toEqual(Array(2).fill("SKIPPED tests: a thing not found at /nonexistent/thing: install the thing"));
  });

  it("fails in CI when a requirement is missing, naming it, where it was looked for and the fix", () => {
    expect(() => skipWithout(MISSING, false, { CI: "true" })).toThrow(
      "Required in CI (CI=true): a thing not found at /nonexistent/thing: install the thing",
    );
    expect(() => skipWithout(MISSING, false, { CI: "1" })).toThrow(/Required in CI/);
  });

  it("reads CI the way CI systems set it", () => {
    expect(inCi({ CI: "true" })).toBe(true);
    expect(inCi({ CI: "1" })).toBe(true);
    expect(inCi({ CI: "0" })).toBe(false);
    expect(inCi({})).toBe(false);
  });
});
