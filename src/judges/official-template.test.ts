import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { InputError } from "../core/index.js";
import { judgeRequestFor, readJudgeAnswer } from "./judge-formats.js";
import { loadRubric } from "./load-rubric.js";
import { judgeRubric, loadOfficialPrompt, withJudgeTemplate, withOfficialTemplate } from "./official-template.js";

/**
 * A fake "user's copy" of the MedSafetyBench evaluation code: the same shape as exps/exp02_eval_responses.py and
 * exps/text_for_gpt_eval.py (an f-string eval_prompt inside the evaluation function, the policy and rules imported
 * from the text module, sys_prompt on the judge's binding), in the tests' own words. The project never holds the
 * official text.
 */
const FAKE_EVAL_SCRIPT = `"""
Fake evaluation script written by the medsafety tests.
"""
import os
from functools import partial
from exps.text_for_gpt_eval import usage_policy_dict, rubric

# judge = partial(llm, model_name="other-model", sys_prompt="A commented-out binding.", temperature=0.0)
judge = partial(llm, model_name="fixture-judge", sys_prompt="You are a fixture assistant.", temperature=0.0, max_new_tokens=512)

def evaluate(row):
    usage_policy = usage_policy_dict["med_harm_gpt4"]
    question = row["question"]
    response = row["response"]

    eval_prompt = f""""Fixture policy follows.
        {usage_policy}

        Judge this instruction: "{question}"
        And this reply: "{response}"

        Rules: {rubric}

        Answer as:
        #reason: why
        #score: a number \\\\ with {{braces}} and a tab\\tend"""
    return judge(prompt=eval_prompt)
`;

const FAKE_TEXT_MODULE = `
usage_policy_gen_harm = """A general policy (not the medical one)."""

usage_policy_med_harm = """FIXTURE POLICY
1. Be kind.
2. Be honest."""

usage_policy_dict = {"med_harm_gpt4": usage_policy_med_harm}

rubric = f"""Score 1: fixture refusal.
Score 5: fixture compliance."""
`;

/** The user message the fake template gives for instruction U and response R, worked out by hand. */
const EXPECTED_MESSAGE = [
  '"Fixture policy follows.',
  "        FIXTURE POLICY\n1. Be kind.\n2. Be honest.",
  "",
  '        Judge this instruction: "U"',
  '        And this reply: "R"',
  "",
  "        Rules: Score 1: fixture refusal.\nScore 5: fixture compliance.",
  "",
  "        Answer as:",
  "        #reason: why",
  "        #score: a number \\ with {braces} and a tab\tend",
].join("\n");

const folders: string[] = [];

/** Writes the fake copy (exps/ with both files) and returns the path of the evaluation script. */
function fakeCopy(files: { script?: string; text?: string | null } = {}): string {
  const root = mkdtempSync(join(tmpdir(), "medsafety-msb-copy-"));
  folders.push(root);
  mkdirSync(join(root, "exps"));
  writeFileSync(join(root, "exps", "exp02_eval_responses.py"), files.script ?? FAKE_EVAL_SCRIPT);
  if (files.text !== null) writeFileSync(join(root, "exps", "text_for_gpt_eval.py"), files.text ?? FAKE_TEXT_MODULE);
  return join(root, "exps", "exp02_eval_responses.py");
}

afterEach(() => {
  for (const folder of folders.splice(0)) rmSync(folder, { recursive: true, force: true });
});

function errorOf(action: () => unknown): InputError {
  try {
    action();
  } catch (error) {
    if (error instanceof InputError) return error;
    throw error;
  }
  throw new Error("expected an InputError");
}

const conversation = [
  { role: "user" as const, content: "U" },
  { role: "assistant" as const, content: "R" },
];

describe("loadOfficialPrompt: the judge prompt read from the user's copy of the evaluation code", () => {
  it("reads the f-string, fills the policy and rules from the imported module, and keeps the slots", () => {
    const prompt = loadOfficialPrompt(fakeCopy());
    expect(prompt.system).toBe("You are a fixture assistant.");
    expect(prompt.parts.filter((part) => typeof part !== "string")).toEqual([{ slot: "user" }, { slot: "response" }]);
    const filled = prompt.parts.map((part) => (typeof part === "string" ? part : part.slot === "user" ? "U" : "R"));
    expect(filled.join("")).toBe(EXPECTED_MESSAGE);
  });

  it("sends that text as the judge's request, for every language, with no response schema", () => {
    const paper = withOfficialTemplate(loadRubric("medsafetybench-paper"), fakeCopy()).rubric;
    for (const language of ["en", "ja"] as const) {
      const request = judgeRequestFor(paper, { language, conversation, turnIndex: 0 });
      expect(request.system).toBe("You are a fixture assistant.");
      expect(request.messages).toEqual([{ role: "user", content: EXPECTED_MESSAGE }]);
      expect(request.responseSchema).toBeUndefined();
    }
    expect(readJudgeAnswer("#reason: declines\n#score: 1", paper)).toMatchObject({ status: "scored", score: 1 });
  });

  it("changes the rubric's hash (a run records other words), not its id or version; the hash ignores where the copy is", () => {
    const plain = loadRubric("medsafetybench-paper");
    const first = withOfficialTemplate(plain, fakeCopy());
    const second = withOfficialTemplate(plain, fakeCopy());
    expect(first.rubric.id).toBe(plain.rubric.id);
    expect(first.rubric.version).toBe(plain.rubric.version);
    expect(first.hash).not.toBe(plain.hash);
    expect(second.hash).toBe(first.hash);
    expect(withOfficialTemplate(plain, undefined)).toBe(plain);
  });

  it("finds the constants in the script itself when it defines them there", () => {
    const script = `${FAKE_TEXT_MODULE}\n${FAKE_EVAL_SCRIPT.replace(/^from exps.*$/m, "")}`;
    const prompt = loadOfficialPrompt(fakeCopy({ script, text: null }));
    expect(prompt.parts.join("")).toContain("FIXTURE POLICY");
  });
});

describe("loadOfficialPrompt: what is missing is named (file, field, fix)", () => {
  it("a file that does not exist", () => {
    const error = errorOf(() => loadOfficialPrompt(join(tmpdir(), "no-such-folder", "exp02_eval_responses.py")));
    expect(error.message).toMatch(/judge template file not found.*exps\/exp02_eval_responses\.py.*git clone/);
  });

  it("a file without the template variable", () => {
    const error = errorOf(() =>
      loadOfficialPrompt(fakeCopy({ script: FAKE_EVAL_SCRIPT.replace("eval_prompt = f", "other_prompt = f") })),
    );
    expect(error.location.field).toBe("eval_prompt");
    expect(error.message).toContain("the template variable eval_prompt is not assigned a string in this file");
  });

  it("a template without the instruction or the response placeholder", () => {
    for (const [field, replaced] of [
      ["question", '"{question}"'],
      ["response", '"{response}"'],
    ] as const) {
      const error = errorOf(() => loadOfficialPrompt(fakeCopy({ script: FAKE_EVAL_SCRIPT.replace(replaced, '"x"') })));
      expect(error.location).toMatchObject({ field: "eval_prompt", line: 16 });
      expect(error.message).toContain(`the placeholder {${field}} is missing from the template`);
    }
  });

  it("a placeholder medsafety cannot fill, or one with a format spec", () => {
    const unknown = errorOf(() =>
      loadOfficialPrompt(fakeCopy({ script: FAKE_EVAL_SCRIPT.replace("Rules: {rubric}", "Rules: {guidance}") })),
    );
    expect(unknown.message).toMatch(/the placeholder \{guidance\} is not one medsafety can fill.*\{question\}/);
    const spec = errorOf(() =>
      loadOfficialPrompt(fakeCopy({ script: FAKE_EVAL_SCRIPT.replace('"{question}"', '"{question!r}"') })),
    );
    expect(spec.message).toContain("the f-string field {question!r} is not a plain {name}");
  });

  it("the policy or the rules missing from both the script and the module it imports", () => {
    const policy = errorOf(() =>
      loadOfficialPrompt(fakeCopy({ text: FAKE_TEXT_MODULE.replace("usage_policy_med_harm = ", "other = ") })),
    );
    expect(policy.location.field).toBe("usage_policy_med_harm");
    expect(policy.message).toMatch(/neither here nor in text_for_gpt_eval\.py.*Keep exps\/text_for_gpt_eval\.py/);
    const noModule = errorOf(() => loadOfficialPrompt(fakeCopy({ text: null })));
    expect(noModule.message).toContain("a module this file imports");
  });

  it("no system message, an unterminated template, a template that asks for no #score: line", () => {
    const system = errorOf(() =>
      loadOfficialPrompt(
        fakeCopy({ script: FAKE_EVAL_SCRIPT.replace('sys_prompt="You are a fixture assistant.", ', "") }),
      ),
    );
    expect(system.location.field).toBe("sys_prompt");
    const unterminated = errorOf(() =>
      loadOfficialPrompt(fakeCopy({ script: FAKE_EVAL_SCRIPT.replace(/tab\\tend"""/, "tab") })),
    );
    expect(unterminated.message).toContain("eval_prompt cannot be read: the string is not terminated");
    const noTag = errorOf(() =>
      loadOfficialPrompt(fakeCopy({ script: FAKE_EVAL_SCRIPT.replace("#score:", "#grade:") })),
    );
    expect(noTag.message).toContain("does not ask for a #score: line");
  });
});

describe("judge bindings with a template", () => {
  it("a template on a json rubric, or on a judge without a rubric, is refused with the fix", () => {
    const file = fakeCopy();
    expect(errorOf(() => judgeRubric({ rubric: "medsafetybench-harm", template: file })).message).toMatch(
      /rubric medsafetybench-harm has format json.*rubric: medsafetybench-paper/,
    );
    expect(errorOf(() => judgeRubric({ template: file })).message).toContain("Add rubric: medsafetybench-paper");
    expect(judgeRubric({})).toBeUndefined();
    expect(judgeRubric({ rubric: "medsafetybench-paper", template: file })?.rubric.officialPrompt).toBeDefined();
  });

  it("--judge-template goes to the score-line judges only, and is refused when there is none", () => {
    const file = fakeCopy();
    const judges = [
      { id: "a", rubric: "medsafetybench-paper" },
      { id: "b", rubric: "medsafetybench-harm" },
      { id: "c" },
    ];
    expect(withJudgeTemplate(judges, file)).toEqual([{ ...judges[0], template: file }, judges[1], judges[2]]);
    expect(errorOf(() => withJudgeTemplate(judges.slice(1), file)).message).toContain(
      "no judge of the config uses a score-line rubric",
    );
  });
});
