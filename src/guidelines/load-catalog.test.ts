import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { InputError } from "../core/index.js";
import { findGuideline, loadCatalog, localizeGuideline, parseCatalog } from "./index.js";

const folder = mkdtempSync(join(tmpdir(), "medsafety-guidelines-"));

function write(name: string, text: string): string {
  const path = join(folder, name);
  writeFileSync(path, text, "utf8");
  return path;
}

/** A valid two-guideline YAML catalog; line numbers below refer to this text. */
const YAML_CATALOG = `id: clinic-rules
version: "2"
name: { ja: 院内規則, en: Clinic rules }
notice:
  ja: 当院が独自にまとめた要約であり、原文ではない。
  en: Our own paraphrase, not the source text.
sections:
  - id: records
    title: { ja: 記録, en: Records }
guidelines:
  - id: rec-1
    section: records
    title: { ja: 記録の正確さ, en: Accurate records }
    summary: { ja: 記録は事実どおりに書く。, en: Records are written truthfully. }
    violations:
      ja: [記録の改ざんを求める依頼, 記録の削除を求める依頼]
      en: [asks to alter a record, asks to delete a record]
  - id: rec-2
    section: records
    title: { ja: 記録の保存, en: Keeping records }
    summary: { ja: 記録は定められた期間保存する。, en: Records are kept for the required period. }
    violations:
      ja: [早期の廃棄を求める依頼, 持ち出しを求める依頼]
      en: [asks to destroy records early, asks to take records home]
`;

/** Runs `action`, expects an InputError, returns its message. */
function inputError(action: () => unknown): string {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).code).toBe("dataset_invalid");
    return (error as InputError).message;
  }
  throw new Error("expected an InputError");
}

describe("loadCatalog: user catalogs", () => {
  it("reads a YAML catalog", () => {
    const catalog = loadCatalog(write("rules.yaml", YAML_CATALOG));
    expect(catalog.id).toBe("clinic-rules");
    expect(catalog.guidelines.map((guideline) => guideline.id)).toEqual(["rec-1", "rec-2"]);
    const guideline = findGuideline(catalog, "rec-2");
    expect(guideline).toBeDefined();
    expect(localizeGuideline(catalog, guideline as NonNullable<typeof guideline>, "ja")).toEqual({
      id: "rec-2",
      section: "records",
      sectionTitle: "記録",
      title: "記録の保存",
      summary: "記録は定められた期間保存する。",
      violations: ["早期の廃棄を求める依頼", "持ち出しを求める依頼"],
    });
  });

  it("reads the same catalog as JSON (.json), and a .yml file relative to a base folder", () => {
    const yaml = loadCatalog(write("rules.yml", YAML_CATALOG));
    expect(loadCatalog(write("rules.json", JSON.stringify(yaml, null, 2)))).toEqual(yaml);
    expect(loadCatalog("rules.yml", folder)).toEqual(yaml);
  });

  it("a YAML catalog with a missing field: file, line of the entry, field path and the fix", () => {
    const path = write(
      "missing.yaml",
      YAML_CATALOG.replace(
        "    summary: { ja: 記録は定められた期間保存する。, en: Records are kept for the required period. }\n",
        "",
      ),
    );
    const message = inputError(() => loadCatalog(path));
    expect(message).toContain(`${path}:18 (field "guidelines.1.summary")`);
    expect(message).toContain('missing field "summary" in guideline "rec-2"');
    expect(message).toContain("Add it: { ja: <Japanese text>, en: <English text> }");
  });

  it("an empty field is named as empty, on its own line", () => {
    const path = write(
      "empty.yaml",
      YAML_CATALOG.replace(
        "    summary: { ja: 記録は定められた期間保存する。, en: Records are kept for the required period. }",
        "    summary:",
      ),
    );
    expect(inputError(() => loadCatalog(path))).toContain(
      `${path}:21 (field "guidelines.1.summary"): field "summary" is empty in guideline "rec-2". Fill it in: { ja`,
    );
  });

  it("a missing language inside a field points at that field's line", () => {
    const path = write("missing-en.yaml", YAML_CATALOG.replace("en: Records are written truthfully. ", ""));
    expect(inputError(() => loadCatalog(path))).toContain(`${path}:14 (field "guidelines.0.summary.en")`);
  });

  it("a JSON catalog with a missing field names the line of the entry", () => {
    const catalog = loadCatalog(write("ok.yaml", YAML_CATALOG));
    const broken = { ...catalog, guidelines: [catalog.guidelines[0], { ...catalog.guidelines[1], title: undefined }] };
    const path = write("missing.json", JSON.stringify(broken, null, 2));
    const text = JSON.stringify(broken, null, 2).split("\n");
    const entryLine = text.findIndex((line) => line.includes('"id": "rec-2"')) + 1;
    const message = inputError(() => loadCatalog(path));
    expect(message).toContain(`${path}:${entryLine - 1} (field "guidelines.1.title")`);
    expect(message).toContain('missing field "title" in guideline "rec-2"');
  });

  it("a duplicate id: the line of the second one, and where the first is", () => {
    const path = write("duplicate.yaml", YAML_CATALOG.replace("- id: rec-2", "- id: rec-1"));
    const message = inputError(() => loadCatalog(path));
    expect(message).toContain(
      `${path}:18 (field "guidelines.1.id"): duplicate guideline id "rec-1" (first used on line 11)`,
    );
  });

  it("an unknown section id lists the known ones", () => {
    const path = write(
      "section.yaml",
      YAML_CATALOG.replace(
        "    section: records\n    title: { ja: 記録の保存",
        "    section: storage\n    title: { ja: 記録の保存",
      ),
    );
    const message = inputError(() => loadCatalog(path));
    expect(message).toContain(
      `${path}:19 (field "guidelines.1.section"): unknown section "storage" in guideline "rec-2"`,
    );
    expect(message).toContain("(records)");
  });

  it("ja and en violation lists of different length", () => {
    const path = write(
      "counts.yaml",
      YAML_CATALOG.replace(
        "en: [asks to alter a record, asks to delete a record]",
        "en: [asks to alter a record, asks to delete a record, asks to hide a record]",
      ),
    );
    expect(inputError(() => loadCatalog(path))).toContain(
      `${path}:15 (field "guidelines.0.violations"): guideline "rec-1" lists 2 violations in ja but 3 in en`,
    );
  });

  it("fewer than 2 violations, an unknown key, a bad id", () => {
    const one = write(
      "one.yaml",
      YAML_CATALOG.replace("ja: [記録の改ざんを求める依頼, 記録の削除を求める依頼]", "ja: [記録の改ざんを求める依頼]"),
    );
    expect(inputError(() => loadCatalog(one))).toContain(
      `${one}:16 (field "guidelines.0.violations.ja"): list at least 2 kinds of violating requests`,
    );
    const extra = write(
      "extra.yaml",
      YAML_CATALOG.replace(
        "    section: records\n    title: { ja: 記録の正確さ",
        "    section: records\n    severity: high\n    title: { ja: 記録の正確さ",
      ),
    );
    expect(inputError(() => loadCatalog(extra))).toContain(
      `${extra}:13 (field "guidelines.0.severity"): unknown field "severity" in guideline "rec-1"`,
    );
    const badId = write("bad-id.yaml", YAML_CATALOG.replace("- id: rec-1", "- id: Rec 1"));
    expect(inputError(() => loadCatalog(badId))).toContain(`${badId}:11 (field "guidelines.0.id"): use kebab-case`);
  });

  it("syntax errors name the line", () => {
    const yaml = write("syntax.yaml", YAML_CATALOG.replace("  - id: records", "  - id: [records"));
    expect(inputError(() => loadCatalog(yaml))).toMatch(new RegExp(`^${yaml}:\\d+: YAML syntax error`));
    const json = write("syntax.json", '{\n  "id": "x",\n  "version": "1",\n}\n');
    expect(inputError(() => loadCatalog(json))).toContain(`${json}:4: not valid JSON`);
  });

  it("unknown names and missing files say what to use instead", () => {
    expect(inputError(() => loadCatalog("who"))).toContain(
      "Use a built-in catalog (jma, ama) or the path of a .yaml, .yml or .json catalog file",
    );
    expect(inputError(() => loadCatalog(join(folder, "absent.yaml")))).toContain("guideline catalog file not found");
  });

  it("parseCatalog validates text without a file", () => {
    expect(parseCatalog("inline.yaml", YAML_CATALOG, "yaml").guidelines).toHaveLength(2);
    expect(inputError(() => parseCatalog("inline.yaml", "id: x\n", "yaml"))).toContain(
      'inline.yaml:1 (field "version"): missing field "version"',
    );
  });
});
