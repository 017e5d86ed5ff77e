import Table from "cli-table3";
import { type Language, MedsafetyError } from "../../core/index.js";
import {
  BUILTIN_CATALOGS,
  findGuideline,
  type GuidelineCatalog,
  isBuiltinCatalog,
  type LocalizedGuideline,
  loadCatalog,
  localizeGuideline,
} from "../../guidelines/index.js";
import type { Output } from "../output.js";
import { PLAIN } from "../table-style.js";

/** The options of `guidelines list` (its action: actions/guidelines.ts). */
export interface ListOptions {
  catalog: string;
  lang: Language;
  section?: string;
  format: "table" | "json";
}

/** The options of `guidelines show`. */
export interface ShowOptions {
  catalog?: string;
  lang: Language;
  format: "text" | "json";
}

/** Words around the catalog text, in the language the user asked for. */
const LABELS = {
  en: {
    head: ["id", "section", "title"],
    summary: "Summary",
    violations: "Kinds of requests that would violate it",
    section: "section",
    catalog: "catalog",
    count: (count: number) => `${count} guideline${count === 1 ? "" : "s"}`,
    show: "show one with",
  },
  ja: {
    head: ["ID", "章", "表題"],
    summary: "概要",
    violations: "この指針に反する依頼の種類",
    section: "章",
    catalog: "目録",
    count: (count: number) => `${count} 件の指針`,
    show: "1件を表示するには",
  },
} as const;

/** `medsafety guidelines list`: a catalog's guidelines (table or JSON). */
export function guidelinesListCommand(options: ListOptions, output: Output): void {
  const catalog = loadCatalog(options.catalog);
  const sections =
    options.section === undefined ? catalog.sections : [knownSection(catalog, options.section, options.catalog)];
  const sectionIds = new Set(sections.map((section) => section.id));
  const rows = catalog.guidelines
    .filter((guideline) => sectionIds.has(guideline.section))
    .map((guideline) => localizeGuideline(catalog, guideline, options.lang));
  if (options.format === "json") {
    output.out(
      JSON.stringify(
        {
          catalog: catalogHeader(catalog, options.lang),
          language: options.lang,
          sections: sections.map((section) => ({ id: section.id, title: section.title[options.lang] })),
          guidelines: rows,
        },
        null,
        2,
      ),
    );
    return;
  }
  printList(output, catalog, rows, options);
}

/** `medsafety guidelines show <id>`: one guideline (text or JSON). */
export function guidelinesShowCommand(id: string, options: ShowOptions, output: Output): void {
  const catalogName = options.catalog ?? defaultCatalogFor(id);
  const catalog = loadCatalog(catalogName);
  const guideline = findGuideline(catalog, id);
  if (guideline === undefined) throw unknownGuideline(catalog, id, catalogName);
  const localized = localizeGuideline(catalog, guideline, options.lang);
  if (options.format === "json") {
    output.out(
      JSON.stringify(
        { catalog: catalogHeader(catalog, options.lang), language: options.lang, guideline: localized },
        null,
        2,
      ),
    );
    return;
  }
  printGuideline(output, catalog, localized, options.lang);
}

function catalogHeader(catalog: GuidelineCatalog, language: Language) {
  return { id: catalog.id, version: catalog.version, name: catalog.name[language], notice: catalog.notice[language] };
}

function printList(
  output: Output,
  catalog: GuidelineCatalog,
  rows: readonly LocalizedGuideline[],
  options: ListOptions,
): void {
  const labels = LABELS[options.lang];
  output.out(`${catalog.name[options.lang]} (${labels.catalog} ${catalog.id} ${catalog.version})`);
  output.out(catalog.notice[options.lang]);
  output.out("");
  const table = new Table({ style: { ...PLAIN, compact: true }, head: [...labels.head] });
  for (const row of rows) table.push([row.id, row.section, row.title]);
  output.out(table.toString());
  output.out(
    `${labels.count(rows.length)}; ${labels.show}: medsafety guidelines show <id> --catalog ${options.catalog} --lang ${options.lang}`,
  );
}

function printGuideline(
  output: Output,
  catalog: GuidelineCatalog,
  guideline: LocalizedGuideline,
  language: Language,
): void {
  const labels = LABELS[language];
  output.out(`${guideline.id}  ${guideline.title}`);
  output.out(`${labels.section}: ${guideline.section} (${guideline.sectionTitle})`);
  output.out(`${labels.catalog}: ${catalog.id} ${catalog.version}, ${catalog.name[language]}`);
  output.out("");
  output.out(labels.summary);
  output.out(`  ${guideline.summary}`);
  output.out("");
  output.out(labels.violations);
  for (const violation of guideline.violations) output.out(`  - ${violation}`);
  output.out("");
  output.out(catalog.notice[language]);
}

function knownSection(
  catalog: GuidelineCatalog,
  id: string,
  catalogName: string,
): GuidelineCatalog["sections"][number] {
  const section = catalog.sections.find((candidate) => candidate.id === id);
  if (section !== undefined) return section;
  throw new MedsafetyError(
    "dataset_invalid",
    `unknown section "${id}" in guideline catalog ${catalogName}. ` +
      `Use one of: ${catalog.sections.map((candidate) => candidate.id).join(", ")}`,
  );
}

/** `ama-4` reads from the ama catalog without `--catalog ama`; anything else from jma. */
function defaultCatalogFor(id: string): string {
  const prefix = id.split("-")[0] ?? "";
  return isBuiltinCatalog(prefix) ? prefix : "jma";
}

function unknownGuideline(catalog: GuidelineCatalog, id: string, catalogName: string): MedsafetyError {
  // A benchmark's `jma-NN` names the guideline whose running number is NN (jma-10 → jma-2-10).
  const number = lastNumber(id);
  const similar =
    number === undefined
      ? []
      : catalog.guidelines
          .map((guideline) => guideline.id)
          .filter((candidate) => lastNumber(candidate) === number && candidate.split("-")[0] === id.split("-")[0]);
  const hint = similar.length === 0 ? "" : ` Did you mean ${similar.slice(0, 3).join(", ")}?`;
  return new MedsafetyError(
    "dataset_invalid",
    `unknown guideline id "${id}" in catalog ${catalogName}.${hint} ` +
      `List the ids with \`medsafety guidelines list --catalog ${catalogName}\` (add --section <id> to narrow it down; ` +
      `built-in catalogs: ${BUILTIN_CATALOGS.join(", ")})`,
  );
}

function lastNumber(id: string): number | undefined {
  const digits = /-(\d+)$/.exec(id)?.[1];
  return digits === undefined ? undefined : Number(digits);
}
