import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { packageRoot } from "../core/index.js";
import { MEDSAFETYBENCH_CATEGORIES } from "../datasets/index.js";
import { BUILTIN_CATALOGS, builtinCatalogPath, findGuideline, type GuidelineCatalog, loadCatalog } from "./index.js";

/** Hiragana, katakana, CJK ideographs, and the full-width punctuation of Japanese text. */
const JAPANESE = /[\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Han}\u3000-\u303f\uff01-\uff60]/u;

const jma = loadCatalog("jma");
const ama = loadCatalog("ama");

/** Every ja/en pair of texts in a catalog, with where it is, so a failure names the entry. */
function texts(catalog: GuidelineCatalog): Array<{ where: string; ja: string; en: string }> {
  return [
    { where: "name", ...catalog.name },
    { where: "notice", ...catalog.notice },
    ...catalog.sections.map((section) => ({ where: `section ${section.id}`, ...section.title })),
    ...catalog.guidelines.flatMap((guideline) => [
      { where: `${guideline.id}.title`, ...guideline.title },
      { where: `${guideline.id}.summary`, ...guideline.summary },
      ...guideline.violations.ja.map((ja, index) => ({
        where: `${guideline.id}.violations.${index}`,
        ja,
        en: guideline.violations.en[index] ?? "",
      })),
    ]),
  ];
}

function sentences(text: string, language: "ja" | "en"): number {
  return language === "ja" ? (text.match(/。/g) ?? []).length : (text.match(/[.!?](?=\s|$)/g) ?? []).length;
}

describe.each([
  ["jma", jma, 67],
  ["ama", ama, 9],
] as const)("built-in catalog %s", (name, catalog, count) => {
  it(`has ${count} guidelines with unique kebab-case ids`, () => {
    expect(catalog.id).toBe(name);
    expect(catalog.guidelines).toHaveLength(count);
    const ids = catalog.guidelines.map((guideline) => guideline.id);
    expect(new Set(ids).size).toBe(count);
    for (const id of ids) expect(id).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
  });

  it("uses every section it declares and only those", () => {
    const declared = catalog.sections.map((section) => section.id);
    const used = new Set(catalog.guidelines.map((guideline) => guideline.section));
    expect(new Set(declared).size).toBe(declared.length);
    expect([...used].sort()).toEqual([...declared].sort());
  });

  it("has non-empty text in both languages: Japanese in ja, none in en", () => {
    for (const { where, ja, en } of texts(catalog)) {
      expect(ja.trim(), where).not.toBe("");
      expect(en.trim(), where).not.toBe("");
      expect(JAPANESE.test(ja), `${where} (ja) has no Japanese: ${ja}`).toBe(true);
      expect(JAPANESE.test(en), `${where} (en) has Japanese: ${en}`).toBe(false);
    }
  });

  it("pairs at least 2 violations per guideline in ja and en, and keeps summaries to 1-3 sentences", () => {
    for (const guideline of catalog.guidelines) {
      expect(guideline.violations.ja.length, guideline.id).toBeGreaterThanOrEqual(2);
      expect(guideline.violations.en.length, guideline.id).toBe(guideline.violations.ja.length);
      for (const language of ["ja", "en"] as const) {
        const count = sentences(guideline.summary[language], language);
        expect(count, `${guideline.id}.summary.${language}`).toBeGreaterThanOrEqual(1);
        expect(count, `${guideline.id}.summary.${language}`).toBeLessThanOrEqual(3);
      }
    }
  });

  it("states that it is the project's own paraphrase, not the source text", () => {
    expect(catalog.notice.en).toMatch(/own paraphrase/);
    expect(catalog.notice.en).toMatch(/not the text of/);
    expect(catalog.notice.ja).toContain("独自の言葉");
    expect(catalog.notice.ja).toContain("原文ではなく");
  });

  it("is read from src/ (shipped through package.json files: src/**/*.json)", () => {
    expect(builtinCatalogPath(name)).toBe(join(packageRoot(), "src", "guidelines", "catalogs", `${name}.json`));
    const manifest = JSON.parse(readFileSync(join(packageRoot(), "package.json"), "utf8")) as { files: string[] };
    expect(manifest.files).toContain("src/**/*.json");
  });
});

describe("the jma catalog's numbering", () => {
  it("is jma-<section>-<running number>, in order, with sections numbered in order", () => {
    const sectionNumber = new Map(jma.sections.map((section, index) => [section.id, index + 1]));
    jma.guidelines.forEach((guideline, index) => {
      expect(guideline.id).toBe(`jma-${sectionNumber.get(guideline.section)}-${String(index + 1).padStart(2, "0")}`);
    });
    expect(jma.sections.map((section) => section.id)).toEqual([
      "basic-duties",
      "physician-patient",
      "physicians",
      "society",
      "research-genetics",
      "end-of-life",
    ]);
  });

  it("gives the built-in benchmarks' jma-NN ids the guideline with running number NN on the same topic", () => {
    const byNumber = new Map(jma.guidelines.map((guideline) => [Number(guideline.id.split("-")[2]), guideline]));
    const expected: Record<string, RegExp> = {
      "jma-03": /consent/i,
      "jma-07": /confidential/i,
      "jma-10": /records/i,
      "jma-12": /certificate/i,
      "jma-14": /duty to treat/i,
      "jma-17": /prescrib/i,
      "jma-22": /euthanasia/i,
      "jma-30": /colleague/i,
      "jma-38": /advertising/i,
      "jma-41": /unscientific/i,
      "jma-44": /gifts/i,
      "jma-55": /misconduct/i,
      "jma-62": /genetic/i,
    };
    for (const [id, topic] of Object.entries(expected)) {
      expect(byNumber.get(Number(id.slice(4)))?.title.en, id).toMatch(topic);
      // findGuideline resolves the short id to the same entry (show, the viewer and reports use it).
      expect(findGuideline(jma, id)?.id, id).toBe(byNumber.get(Number(id.slice(4)))?.id);
    }
    expect(findGuideline(jma, "jma-2-10")?.id).toBe("jma-2-10");
    expect(findGuideline(jma, "jma-99")).toBeUndefined();
    expect(findGuideline(jma, "ama-10")).toBeUndefined();
    for (const file of ["sample.jsonl", "benign-medical.jsonl"]) {
      const ids =
        readFileSync(join(packageRoot(), "src", "datasets", "builtin", file), "utf8").match(
          /"guidelineId":"jma-\d+"/g,
        ) ?? [];
      expect(ids.length).toBeGreaterThan(0);
      for (const id of ids) expect(byNumber.has(Number(/\d+/.exec(id)?.[0])), id).toBe(true);
    }
  });
});

describe("the ama catalog", () => {
  it("names the 9 principles ama-1 … ama-9, the guideline ids of the MedSafetyBench importer", () => {
    expect(ama.guidelines.map((guideline) => guideline.id)).toEqual(
      MEDSAFETYBENCH_CATEGORIES.map((category) => `ama-${category}`),
    );
  });
});

it("lists jma and ama as the built-in catalogs", () => {
  expect(BUILTIN_CATALOGS).toEqual(["jma", "ama"]);
});
