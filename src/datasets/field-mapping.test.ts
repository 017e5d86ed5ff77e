import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { InputError } from "../core/index.js";
import { buildFieldMapping, parseMapOption, parseSourceExpression, readMappingFile } from "./field-mapping.js";

const folder = mkdtempSync(join(tmpdir(), "medsafety-mapping-"));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

function thrown(action: () => unknown): InputError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    return error as InputError;
  }
  throw new Error("expected an InputError");
}

describe("source expressions", () => {
  it("reads a field path, a quoted literal, a template, a column list and a pattern", () => {
    expect(parseSourceExpression("conversation.turns")).toEqual({ kind: "field", path: "conversation.turns" });
    expect(parseSourceExpression('"ja"')).toEqual({ kind: "literal", value: "ja" });
    expect(parseSourceExpression("jmeb-{seed_id}-{@row}")).toEqual({
      kind: "template",
      parts: ["jmeb-", { path: "seed_id" }, "-", { special: "row" }],
      text: "jmeb-{seed_id}-{@row}",
    });
    expect(parseSourceExpression("turn_0", ["turn_1", "turn_2"])).toEqual({
      kind: "columns",
      columns: ["turn_0", "turn_1", "turn_2"],
    });
    const pattern = parseSourceExpression("turn_*");
    expect(pattern.kind).toBe("pattern");
    expect(pattern.kind === "pattern" && pattern.pattern.test("turn_12")).toBe(true);
    expect(pattern.kind === "pattern" && pattern.pattern.test("xturn_1")).toBe(false);
  });

  it("refuses an unbalanced template and an unknown {@value}", () => {
    expect(() => parseSourceExpression("a-{id")).toThrow(/unbalanced "\{"/);
    expect(() => parseSourceExpression("{@line}")).toThrow(/unknown template value \{@line\}/);
  });
});

describe("--map", () => {
  it("splits on commas outside quotes and braces; a bare item continues the turns column list", () => {
    const rules = parseMapOption('id={a}-{b},turns=t0,t1,t2,language="ja",strategy="x,y"');
    expect(rules.map((rule) => rule.target)).toEqual(["id", "turns", "language", "strategy"]);
    expect(rules[0]?.source).toMatchObject({ kind: "template" });
    expect(rules[1]?.source).toEqual({ kind: "columns", columns: ["t0", "t1", "t2"] });
    expect(rules[3]?.source).toEqual({ kind: "literal", value: "x,y" });
  });

  it("names an unknown item field, the entry and the fields it takes", () => {
    const error = thrown(() => parseMapOption("turns=t,langauge=lang"));
    expect(error.message).toContain('--map (field "langauge=lang"): unknown item field "langauge"');
    expect(error.message).toContain("Map one of: id, language");
  });

  it("refuses a column list for a field other than turns, a reserved metadata key and a field mapped twice", () => {
    expect(thrown(() => parseMapOption("id=a,b")).message).toContain("a column list or pattern is for turns only");
    expect(thrown(() => parseMapOption("metadata.provenance=x")).message).toContain("written by the importer");
    expect(thrown(() => parseMapOption("id=a,id=b")).message).toContain("id is mapped twice");
  });

  it("requires language, guidelineId, strategy and turns and says how to give a literal", () => {
    const error = thrown(() => buildFieldMapping({ map: "turns=t" }));
    expect(error.message).toContain("no source for language, guidelineId, strategy");
    expect(error.message).toContain('strategy="direct"');
  });
});

describe("mapping files", () => {
  it("reads fields, values and licence; --map overrides a field of the file", () => {
    const path = join(folder, "m.yaml");
    writeFileSync(
      path,
      [
        "license: CC-BY-4.0",
        "format: jsonl",
        "fields:",
        "  turns: [q1, q2]",
        "  language:",
        "    from: lang",
        "    values: { Nihongo: ja }",
        '  guidelineId: "\\"g\\""',
        "  strategy: strat",
      ].join("\n"),
    );
    const mapping = buildFieldMapping({ mapping: path, map: "strategy=other" });
    expect(mapping.license).toBe("CC-BY-4.0");
    expect(mapping.format).toBe("jsonl");
    expect(mapping.rules.get("turns")?.source).toEqual({ kind: "columns", columns: ["q1", "q2"] });
    expect(mapping.rules.get("language")?.values).toEqual({ Nihongo: "ja" });
    expect(mapping.rules.get("guidelineId")?.source).toEqual({ kind: "literal", value: "g" });
    expect(mapping.rules.get("strategy")?.source).toEqual({ kind: "field", path: "other" });
  });

  it("names the file, line and field of a bad rule", () => {
    const path = join(folder, "bad.yaml");
    writeFileSync(path, ["fields:", "  turns: t", "  strategyy: s"].join("\n"));
    const error = thrown(() => readMappingFile(path));
    expect(error.message).toContain(`${path}:3 (field "fields.strategyy"): unknown item field "strategyy"`);
  });

  it("ships the JMedEthicBench mapping, marked as unverified", () => {
    const mapping = buildFieldMapping({ mapping: "jmedethicbench" });
    expect(mapping.license).toBe("CC-BY-NC-4.0");
    expect(mapping.format).toBe("json");
    expect([...mapping.rules.keys()].sort()).toEqual(
      ["guidelineId", "id", "language", "metadata.attackerModel", "pairId", "seedRequest", "strategy", "turns"].sort(),
    );
    expect(thrown(() => buildFieldMapping({ mapping: "no-such-mapping" })).message).toContain("jmedethicbench");
  });
});
