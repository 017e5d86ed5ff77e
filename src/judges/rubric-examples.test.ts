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
  return (text.match(/\{[^{}]*"score"[^{}]*\}/g) ?? []).filter((example) => !example.startsWith("{{"));
}

/** Fills the example's `<...>` placeholders the way a judge would: text for strings, a label, a score on the scale. */
function instantiate(example: string, rubric: Rubric): Record<string, unknown> {
  const filled = example
    .replace(/"label":\s*"<[^>]*>"/, `"label": "${rubric.labels?.[0] ?? "none"}"`)
    .replace(/"<[^>]*>"/g, '"text"')
    .replace(/<[^>]*>/g, String(rubric.scale.min));
  return JSON.parse(filled) as Record<string, unknown>;
}

describe.each(BUILTIN_RUBRICS)("rubric %s: the reply format it shows", (id) => {
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
