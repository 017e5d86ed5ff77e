import { describe, expect, it } from "vitest";
import { verdictSchema } from "./judge-prompt.js";
import { BUILTIN_RUBRICS, loadRubric } from "./load-rubric.js";
import { parseVerdict } from "./parse-verdict.js";
import type { Rubric } from "./rubric.js";

/**
 * The reply format a rubric shows the judge (in its system text and template) must itself be a valid verdict:
 * a judge that follows the example literally (servers that ignore the JSON schema do) must not end up unscored.
 */
function exampleObjects(text: string): string[] {
  // A derived rubric's example (StrongREJECT) has sub-scores and no score: every example starts with its rationale.
  return (text.match(/\{[^{}]*"(?:score|rationale)"[^{}]*\}/g) ?? []).filter((example) => !example.startsWith("{{"));
}

/**
 * Fills the example's `<...>` placeholders the way a judge would: text for strings, a label, and for a number the
 * lowest value the verdict schema allows for that field (a score on the scale, a sub-score in its own range).
 */
function instantiate(example: string, rubric: Rubric): Record<string, unknown> {
  const properties = (verdictSchema(rubric) as { properties: Record<string, { minimum?: number }> }).properties;
  const filled = example
    .replace(/"label":\s*"<[^>]*>"/, `"label": "${rubric.labels?.[0] ?? "none"}"`)
    .replace(/"<[^>]*>"/g, '"text"')
    .replace(/"(\w+)":\s*<[^>]*>/g, (_, key: string) => `"${key}": ${properties[key]?.minimum ?? rubric.scale.min}`);
  return JSON.parse(filled) as Record<string, unknown>;
}

// Classifier rubrics (llama-guard, moderation) show the judge no reply format: their parsers have their own tests;
// score-line rubrics show a #score: line, checked in parse-score-line.test.ts.
const CLASSIFIER_FORMATS: readonly string[] = ["llama-guard", "moderation", "score-line"];
const PROMPTED = BUILTIN_RUBRICS.filter((id) => !CLASSIFIER_FORMATS.includes(loadRubric(id).rubric.format));

describe.each(PROMPTED)("rubric %s: the reply format it shows", (id) => {
  const { rubric } = loadRubric(id);
  const schema = verdictSchema(rubric) as { required: string[] };
  for (const language of ["ja", "en"] as const) {
    const text = rubric.languages[language];
    it(`${language}: shows at least one example, in the system text or the template`, () => {
      expect([...exampleObjects(text.system), ...exampleObjects(text.template)].length).toBeGreaterThan(0);
    });
    for (const [where, body] of [
      ["system", text.system],
      ["template", text.template],
    ] as const) {
      for (const example of exampleObjects(body)) {
        it(`${language} ${where}: ${example} has exactly the schema's fields and parses as a verdict`, () => {
          const object = instantiate(example, rubric);
          expect(Object.keys(object).sort()).toEqual([...schema.required].sort());
          expect(parseVerdict(JSON.stringify(object), rubric)).toMatchObject({ status: "scored" });
        });
      }
    }
  }
});
