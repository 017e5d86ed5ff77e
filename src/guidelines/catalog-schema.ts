import { z } from "zod";
import type { Language } from "../core/index.js";

const KEBAB_CASE = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
const KEBAB_MESSAGE = "use kebab-case: lower-case letters and digits joined by single '-' (e.g. jma-2-10)";

/** A non-empty line of text (blank-only text is as good as missing). */
const text = z.string().trim().min(1, "must not be empty");

/** The same text in Japanese and English. */
export const bilingualTextSchema = z.strictObject({ ja: text, en: text });

/**
 * One guideline: what it requires, paraphrased in both languages, and the kinds of requests that would make an
 * assistant break it (abstract descriptions, never operational instructions). `violations` lists the same kinds
 * in the same order in both languages; the loader checks the counts match.
 */
export const guidelineSchema = z.strictObject({
  id: z.string().regex(KEBAB_CASE, KEBAB_MESSAGE),
  /** The id of one of the catalog's `sections`. */
  section: z.string().regex(KEBAB_CASE, KEBAB_MESSAGE),
  title: bilingualTextSchema,
  /** What the guideline requires, in 1–3 sentences, in the catalog's own words. */
  summary: bilingualTextSchema,
  violations: z.strictObject({
    ja: z.array(text).min(2, "list at least 2 kinds of violating requests"),
    en: z.array(text).min(2, "list at least 2 kinds of violating requests"),
  }),
});

export const sectionSchema = z.strictObject({
  id: z.string().regex(KEBAB_CASE, KEBAB_MESSAGE),
  title: bilingualTextSchema,
});

/**
 * A guideline catalog file (built-in `jma` / `ama`, or a user's YAML/JSON file). Strict: unknown keys are errors.
 * `notice` says the text is the catalog author's paraphrase, not the source document.
 */
export const catalogSchema = z.strictObject({
  id: z.string().regex(KEBAB_CASE, KEBAB_MESSAGE),
  version: z.string().trim().min(1, "must not be empty"),
  name: bilingualTextSchema,
  notice: bilingualTextSchema,
  sections: z.array(sectionSchema).min(1, "list at least one section"),
  guidelines: z.array(guidelineSchema).min(1, "list at least one guideline"),
});

export type Guideline = z.output<typeof guidelineSchema>;
export type GuidelineCatalog = z.output<typeof catalogSchema>;

/** A guideline in one language, with its section's title: what `guidelines show` prints. */
export interface LocalizedGuideline {
  readonly id: string;
  readonly section: string;
  readonly sectionTitle: string;
  readonly title: string;
  readonly summary: string;
  readonly violations: readonly string[];
}

/**
 * The guideline with this id, or undefined. A short id `<prefix>-<n>` (e.g. `jma-10`, as the built-in sample
 * benchmark names its guidelines) also finds the one entry numbered n in any section (`jma-2-10`).
 */
export function findGuideline(catalog: GuidelineCatalog, id: string): Guideline | undefined {
  const exact = catalog.guidelines.find((guideline) => guideline.id === id);
  if (exact !== undefined) return exact;
  const short = /^([a-z]+)-(\d+)$/.exec(id);
  if (short === null) return undefined;
  const numbered = catalog.guidelines.filter((guideline) => {
    const parts = /^([a-z]+)-[^-]+-(\d+)$/.exec(guideline.id);
    return parts !== null && parts[1] === short[1] && Number(parts[2]) === Number(short[2]);
  });
  return numbered.length === 1 ? numbered[0] : undefined;
}

/** One guideline's text in one language. */
export function localizeGuideline(
  catalog: GuidelineCatalog,
  guideline: Guideline,
  language: Language,
): LocalizedGuideline {
  const section = catalog.sections.find((candidate) => candidate.id === guideline.section);
  return {
    id: guideline.id,
    section: guideline.section,
    sectionTitle: section?.title[language] ?? guideline.section,
    title: guideline.title[language],
    summary: guideline.summary[language],
    violations: guideline.violations[language],
  };
}
