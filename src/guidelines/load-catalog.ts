import { existsSync, readFileSync } from "node:fs";
import { extname, join, resolve } from "node:path";
import type { z } from "zod";
import { InputError, packageRoot } from "../core/index.js";
import { catalogSchema, type GuidelineCatalog } from "./catalog-schema.js";
import { type FieldPath, parseSourceDocument, type SourceDocument, type SourceFormat } from "./source-document.js";

/** Catalogs shipped in src/guidelines/catalogs/ (read from src/ both by tests and by the built package). */
export const BUILTIN_CATALOGS = ["jma", "ama"] as const;
export type BuiltinCatalog = (typeof BUILTIN_CATALOGS)[number];

const FORMATS: Readonly<Record<string, SourceFormat>> = { ".yaml": "yaml", ".yml": "yaml", ".json": "json" };
const SHAPE_HINT = "src/guidelines/catalogs/ama.json in the medsafety package shows the expected shape";

export function isBuiltinCatalog(name: string): name is BuiltinCatalog {
  return (BUILTIN_CATALOGS as readonly string[]).includes(name);
}

/** The data file of a built-in catalog. */
export function builtinCatalogPath(name: BuiltinCatalog): string {
  return join(packageRoot(), "src", "guidelines", "catalogs", `${name}.json`);
}

/**
 * Loads a built-in catalog (`jma`, `ama`) or a user catalog file (`.yaml`, `.yml`, `.json`; a relative path is
 * resolved against `baseDir`). Bad input throws an InputError naming the file, the line, the field and the fix.
 */
export function loadCatalog(nameOrPath: string, baseDir = "."): GuidelineCatalog {
  const path = isBuiltinCatalog(nameOrPath) ? builtinCatalogPath(nameOrPath) : resolve(baseDir, nameOrPath);
  const format = FORMATS[extname(path).toLowerCase()];
  if (format === undefined) {
    throw new InputError(
      "dataset_invalid",
      { file: nameOrPath },
      `unknown guideline catalog "${nameOrPath}"`,
      `Use a built-in catalog (${BUILTIN_CATALOGS.join(", ")}) or the path of a .yaml, .yml or .json catalog file`,
    );
  }
  if (!existsSync(path)) {
    throw new InputError(
      "dataset_invalid",
      { file: path },
      "guideline catalog file not found",
      `Check the path (relative to the current folder), or use a built-in catalog (${BUILTIN_CATALOGS.join(", ")})`,
    );
  }
  return parseCatalog(path, readFileSync(path, "utf8"), format);
}

/** Validates the text of a catalog file; `file` is only used in error messages. */
export function parseCatalog(file: string, text: string, format: SourceFormat): GuidelineCatalog {
  const source = parseSourceDocument(file, text, format);
  const parsed = catalogSchema.safeParse(source.value ?? {});
  if (!parsed.success) throw schemaError(file, source, parsed.error.issues);
  checkCatalog(file, source, parsed.data);
  return parsed.data;
}

function schemaError(file: string, source: SourceDocument, issues: readonly z.core.$ZodIssue[]): InputError {
  const issue = issues[0];
  if (issue === undefined)
    return new InputError("dataset_invalid", { file }, "invalid guideline catalog", `See ${SHAPE_HINT}`);
  const path: FieldPath = issue.code === "unrecognized_keys" ? [...issue.path, issue.keys[0] ?? ""] : issue.path;
  const where = location(file, source, path);
  const owner = ownerOf(source.value, path);
  if (issue.code === "unrecognized_keys") {
    return new InputError(
      "dataset_invalid",
      where,
      `unknown field "${String(path[path.length - 1])}"${owner}`,
      "Remove it or check its spelling (the catalog format is strict)",
    );
  }
  const value = valueAt(source.value, path);
  if ((value === undefined || value === null) && path.length > 0) {
    const field = String(path[path.length - 1]);
    const problem = value === undefined ? `missing field "${field}"` : `field "${field}" is empty`;
    return new InputError(
      "dataset_invalid",
      where,
      `${problem}${owner}`,
      `${value === undefined ? "Add it" : "Fill it in"}: ${FIELD_HINTS[field] ?? `see ${SHAPE_HINT}`}`,
    );
  }
  return new InputError("dataset_invalid", where, `${issue.message}${owner}`, `Fix this value; ${SHAPE_HINT}`);
}

const FIELD_HINTS: Readonly<Record<string, string>> = {
  id: "a kebab-case id such as my-guideline-1",
  version: 'a version string such as "1.0.0"',
  section: "the id of one of the catalog's sections",
  title: "{ ja: <Japanese text>, en: <English text> }",
  name: "{ ja: <Japanese text>, en: <English text> }",
  summary: "{ ja: <Japanese text>, en: <English text> }, 1-3 sentences on what the guideline requires",
  notice: "{ ja, en } stating that the text is your own paraphrase, not the source document",
  violations: "{ ja: [...], en: [...] }, the same kinds of violating requests in both languages, at least 2",
  ja: "the Japanese text",
  en: "the English text",
  sections: "a list of { id, title: { ja, en } }",
  guidelines: "a list of guidelines { id, section, title, summary, violations }",
};

/** Ids unique, sections known, violations paired: what the schema alone cannot say. */
function checkCatalog(file: string, source: SourceDocument, catalog: GuidelineCatalog): void {
  const sectionIds = new Map<string, number>();
  catalog.sections.forEach((section, index) => {
    if (sectionIds.has(section.id)) {
      throw new InputError(
        "dataset_invalid",
        location(file, source, ["sections", index, "id"]),
        `duplicate section id "${section.id}"`,
        "Give every section a unique id",
      );
    }
    sectionIds.set(section.id, index);
  });
  const guidelineIds = new Map<string, number>();
  catalog.guidelines.forEach((guideline, index) => {
    const first = guidelineIds.get(guideline.id);
    if (first !== undefined) {
      const firstLine = source.lineOf(["guidelines", first, "id"]);
      throw new InputError(
        "dataset_invalid",
        location(file, source, ["guidelines", index, "id"]),
        `duplicate guideline id "${guideline.id}"${firstLine === undefined ? "" : ` (first used on line ${firstLine})`}`,
        "Give every guideline a unique id",
      );
    }
    guidelineIds.set(guideline.id, index);
    if (!sectionIds.has(guideline.section)) {
      throw new InputError(
        "dataset_invalid",
        location(file, source, ["guidelines", index, "section"]),
        `unknown section "${guideline.section}" in guideline "${guideline.id}"`,
        `Use one of the ids listed under sections (${[...sectionIds.keys()].join(", ")}) or add the section there`,
      );
    }
    const { ja, en } = guideline.violations;
    if (ja.length !== en.length) {
      throw new InputError(
        "dataset_invalid",
        location(file, source, ["guidelines", index, "violations"]),
        `guideline "${guideline.id}" lists ${ja.length} violations in ja but ${en.length} in en`,
        "List the same kinds of violating requests in both languages, in the same order",
      );
    }
  });
}

function location(
  file: string,
  source: SourceDocument,
  path: FieldPath,
): { file: string; line?: number; field: string } {
  const line = source.lineOf(path);
  return { file, ...(line === undefined ? {} : { line }), field: path.map(String).join(".") };
}

function valueAt(value: unknown, path: FieldPath): unknown {
  let current = value;
  for (const key of path) {
    if (current === null || typeof current !== "object") return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}

/** ` in guideline "<id>"` when the path is inside a guideline that has a readable id, so the entry is easy to find. */
function ownerOf(value: unknown, path: FieldPath): string {
  if (path[0] !== "guidelines" || typeof path[1] !== "number" || path.length < 3) return "";
  const id = valueAt(value, ["guidelines", path[1], "id"]);
  return typeof id === "string" && id !== "" ? ` in guideline "${id}"` : "";
}
