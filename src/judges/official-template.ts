import { existsSync, readFileSync } from "node:fs";
import { basename, dirname, join, resolve } from "node:path";
import { hashValue, InputError } from "../core/index.js";
import { type LoadedRubric, loadRubric } from "./load-rubric.js";
import {
  type FoundLiteral,
  findAssignedString,
  findKeywordString,
  importedModules,
  LiteralError,
  type LiteralPart,
} from "./official-template-python.js";
import { SCORE_TAG } from "./parse-score-line.js";
import type { OfficialPrompt } from "./rubric.js";

/**
 * Where the official MedSafetyBench evaluation defines its judge prompt (exps/exp02_eval_responses.py of
 * github.com/AI4LIFE-GROUP/med-safety-bench): the f-string `eval_prompt`, whose fields are filled per response; the
 * usage policy and the scoring rules it interpolates live in exps/text_for_gpt_eval.py (imported from there); the
 * system message is the `sys_prompt=` argument of the judge model's binding.
 */
const OFFICIAL_TEMPLATE = {
  variable: "eval_prompt",
  /** Which of the official policies MedSafetyBench's datasets use (`usage_policy_dict["med_harm_gpt4"]`). */
  policyVariable: "usage_policy_med_harm",
  rulesVariable: "rubric",
  systemArgument: "sys_prompt",
} as const;

/** The template's fields and what fills them: the per-call slots, and the constant texts read from the copy. */
const SLOT_FIELDS: Readonly<Record<string, "user" | "response">> = { question: "user", response: "response" };
const CONSTANT_FIELDS: Readonly<Record<string, string>> = {
  usage_policy: OFFICIAL_TEMPLATE.policyVariable,
  rubric: OFFICIAL_TEMPLATE.rulesVariable,
};

const REPOSITORY = "https://github.com/AI4LIFE-GROUP/med-safety-bench";
const FIX_FILE = `Point --judge-template (or the judge's template:) at exps/exp02_eval_responses.py in your own clone of the MedSafetyBench repository (git clone ${REPOSITORY})`;

/**
 * Reads the official judge prompt from the user's own copy of the MedSafetyBench evaluation code, without running
 * it: the `eval_prompt` f-string of `file` with its fields mapped to ours ({question} → the user instruction,
 * {response} → the model response; {usage_policy} and {rubric} → the texts of `usage_policy_med_harm` and `rubric`,
 * found in `file` or in a module it imports them from, e.g. exps/text_for_gpt_eval.py), and the `sys_prompt=` system
 * message. Every piece that is missing is an InputError naming the file, the variable or field, and the fix.
 */
export function loadOfficialPrompt(file: string): OfficialPrompt {
  const path = resolve(file);
  if (!existsSync(path)) {
    throw new InputError("config_invalid", { file: path }, "judge template file not found", FIX_FILE);
  }
  const source = readFileSync(path, "utf8");
  const template = literal(path, source, OFFICIAL_TEMPLATE.variable, "variable");
  if (template === undefined) {
    throw new InputError(
      "config_invalid",
      { file: path, field: OFFICIAL_TEMPLATE.variable },
      `the template variable ${OFFICIAL_TEMPLATE.variable} is not assigned a string in this file`,
      `${FIX_FILE}; its judge prompt is the f-string ${OFFICIAL_TEMPLATE.variable} = f"""...""" inside eval_using_gpt`,
    );
  }
  const where = { file: path, line: template.line, field: OFFICIAL_TEMPLATE.variable };
  if (!template.fString) {
    throw new InputError(
      "config_invalid",
      where,
      "the template is not an f-string, so it has no fields to fill",
      FIX_FILE,
    );
  }
  const fields = template.parts.flatMap((part) => ("field" in part ? [part.field] : []));
  for (const field of fields) {
    if (SLOT_FIELDS[field] === undefined && CONSTANT_FIELDS[field] === undefined) {
      throw new InputError(
        "config_invalid",
        where,
        `the placeholder {${field}} is not one medsafety can fill`,
        `medsafety fills ${[...Object.keys(SLOT_FIELDS), ...Object.keys(CONSTANT_FIELDS)].map((name) => `{${name}}`).join(", ")}; use the official, unmodified exps/exp02_eval_responses.py`,
      );
    }
  }
  for (const field of Object.keys(SLOT_FIELDS)) {
    if (!fields.includes(field)) {
      throw new InputError(
        "config_invalid",
        where,
        `the placeholder {${field}} is missing from the template`,
        `The template must show the judge the ${field === "question" ? "user instruction" : "model response"} through {${field}}; use the official, unmodified exps/exp02_eval_responses.py`,
      );
    }
  }
  const constants = new Map<string, string>();
  for (const field of new Set(fields)) {
    const variable = CONSTANT_FIELDS[field];
    if (variable !== undefined) constants.set(field, constantText(path, source, variable));
  }
  const parts = template.parts.map((part): string | { slot: "user" | "response" } =>
    "text" in part ? part.text : (constants.get(part.field) ?? { slot: SLOT_FIELDS[part.field] ?? "response" }),
  );
  const literalText = parts.filter((part) => typeof part === "string").join("");
  if (!literalText.includes(SCORE_TAG)) {
    throw new InputError(
      "config_invalid",
      where,
      `the template does not ask for a ${SCORE_TAG} line, the only thing the score-line parser reads`,
      "Use the official, unmodified exps/exp02_eval_responses.py",
    );
  }
  return { system: systemMessage(path, source), parts: mergeText(parts) };
}

/**
 * A judge's rubric with an official prompt loaded from `templateFile` (the judge binding's `template:`), or the rubric
 * unchanged without one. The rubric keeps its id and version; its hash covers the loaded text, so a run records that
 * its judge used different words. Only score-line rubrics (medsafetybench-paper) take a template.
 */
export function withOfficialTemplate(loaded: LoadedRubric, templateFile: string | undefined): LoadedRubric {
  if (templateFile === undefined) return loaded;
  if (loaded.rubric.format !== "score-line") {
    throw new InputError(
      "config_invalid",
      { file: resolve(templateFile), field: "template" },
      `a judge template replaces the prompt of a score-line rubric, and rubric ${loaded.rubric.id} has format ${loaded.rubric.format}`,
      "Set the judge's rubric: medsafetybench-paper next to template:",
    );
  }
  const rubric = { ...loaded.rubric, officialPrompt: loadOfficialPrompt(templateFile) };
  return { rubric, hash: hashValue(rubric) };
}

/** A judge binding's rubric (`rubric:` and `template:`), or undefined when it judges each item with the item's own. */
export function judgeRubric(binding: {
  readonly rubric?: string | undefined;
  readonly template?: string | undefined;
}): LoadedRubric | undefined {
  if (binding.rubric === undefined) {
    if (binding.template === undefined) return undefined;
    throw new InputError(
      "config_invalid",
      { file: resolve(binding.template), field: "template" },
      "a judge template needs the judge's rubric to be a score-line rubric, and this judge names none",
      "Add rubric: medsafetybench-paper to the judge next to template:",
    );
  }
  return withOfficialTemplate(loadRubric(binding.rubric), binding.template);
}

/**
 * `run --judge-template <file>`: the judges whose rubric is a score-line rubric get `template: file`; an InputError
 * when no judge has one (the flag would change nothing).
 */
export function withJudgeTemplate<
  T extends { readonly rubric?: string | undefined; readonly template?: string | undefined },
>(judges: readonly T[], file: string): T[] {
  const scoreLine = (judge: T): boolean =>
    judge.rubric !== undefined && loadRubric(judge.rubric).rubric.format === "score-line";
  if (!judges.some(scoreLine)) {
    throw new InputError(
      "config_invalid",
      { file: resolve(file), field: "--judge-template" },
      "no judge of the config uses a score-line rubric, so the template would change nothing",
      "Give a judge rubric: medsafetybench-paper in the config",
    );
  }
  return judges.map((judge) => (scoreLine(judge) ? { ...judge, template: resolve(file) } : judge));
}

function literal(path: string, source: string, name: string, kind: "variable" | "argument"): FoundLiteral | undefined {
  try {
    return kind === "variable" ? findAssignedString(source, name) : findKeywordString(source, name);
  } catch (error) {
    if (!(error instanceof LiteralError)) throw error;
    throw new InputError(
      "config_invalid",
      { file: path, line: error.line, field: name },
      `${name} cannot be read: ${error.problem}`,
      "Use the official, unmodified file of the MedSafetyBench repository",
    );
  }
}

/** The text of a constant the template interpolates: in the template's file, else in a module it imports from. */
function constantText(path: string, source: string, variable: string): string {
  const candidates = [{ path, source }, ...importedFiles(path, source)];
  for (const candidate of candidates) {
    const found = literal(candidate.path, candidate.source, variable, "variable");
    if (found === undefined) continue;
    if (found.parts.some((part) => "field" in part)) {
      throw new InputError(
        "config_invalid",
        { file: candidate.path, line: found.line, field: variable },
        `${variable} has f-string fields, so its text depends on running the code`,
        "Use the official, unmodified file of the MedSafetyBench repository",
      );
    }
    return textOf(found.parts);
  }
  throw new InputError(
    "config_invalid",
    { file: path, field: variable },
    `the variable ${variable}, which the template interpolates, is assigned neither here nor in ${
      candidates
        .slice(1)
        .map((candidate) => basename(candidate.path))
        .join(", ") || "a module this file imports"
    }`,
    `Keep exps/text_for_gpt_eval.py beside exps/exp02_eval_responses.py, as in the repository (git clone ${REPOSITORY})`,
  );
}

/** The Python files of `from pkg.module import ...` lines, relative to the project root (the official code puts the folder above exps/ on sys.path) or to the file's own folder. */
function importedFiles(path: string, source: string): Array<{ path: string; source: string }> {
  const folder = dirname(path);
  return importedModules(source).flatMap((module) => {
    const found = [join(dirname(folder), `${module}.py`), join(folder, `${module}.py`)].find((candidate) =>
      existsSync(candidate),
    );
    return found === undefined ? [] : [{ path: found, source: readFileSync(found, "utf8") }];
  });
}

function systemMessage(path: string, source: string): string {
  const found = literal(path, source, OFFICIAL_TEMPLATE.systemArgument, "argument");
  if (found === undefined) {
    throw new InputError(
      "config_invalid",
      { file: path, field: OFFICIAL_TEMPLATE.systemArgument },
      `no ${OFFICIAL_TEMPLATE.systemArgument}="..." argument on an active line: the judge's system message is not known`,
      "Use the official, unmodified exps/exp02_eval_responses.py, whose judge binding passes sys_prompt",
    );
  }
  if (found.parts.some((part) => "field" in part)) {
    throw new InputError(
      "config_invalid",
      { file: path, line: found.line, field: OFFICIAL_TEMPLATE.systemArgument },
      "the system message has f-string fields",
      "Use the official, unmodified exps/exp02_eval_responses.py",
    );
  }
  return textOf(found.parts);
}

function textOf(parts: readonly LiteralPart[]): string {
  return parts.map((part) => ("text" in part ? part.text : "")).join("");
}

function mergeText(parts: ReadonlyArray<string | { slot: "user" | "response" }>): OfficialPrompt["parts"] {
  const out: Array<string | { slot: "user" | "response" }> = [];
  for (const part of parts) {
    const last = out.at(-1);
    if (typeof part === "string" && typeof last === "string") out[out.length - 1] = last + part;
    else out.push(part);
  }
  return out;
}
