import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ChatMessage, Language } from "../core/index.js";
import type { ChatRequest } from "../providers/index.js";
import { buildJudgeRequest } from "./judge-prompt.js";
import { BUILTIN_RUBRICS, loadRubric } from "./load-rubric.js";

/**
 * The judge request's layout for providers' prompt caches (docs/decisions/0018-prompt-caching.md): the rubric's
 * constant text is the first part of every request, byte-identical for every turn judged in a language, and nothing
 * that differs per call ever sits inside it.
 */

/** The prompt as a provider sees it, in order: the system text, then each message. */
function promptOf(request: ChatRequest): string {
  return [request.system ?? "", ...request.messages.map((message) => message.content)].join("\n");
}

function commonPrefixLength(a: string, b: string): number {
  let index = 0;
  while (index < a.length && index < b.length && a[index] === b[index]) index += 1;
  return index;
}

/** Text with a marker that cannot occur in a rubric, so per-call text is found wherever it lands. */
const perCallText = fc.string({ minLength: 1, maxLength: 60 }).map((text) => `«PER-CALL ${text}»`);

const conversation = fc
  .array(fc.tuple(perCallText, perCallText), { minLength: 1, maxLength: 4 })
  .map((turns): ChatMessage[] =>
    turns.flatMap(([user, assistant]) => [
      { role: "user", content: user },
      { role: "assistant", content: assistant },
    ]),
  );

describe("judge requests are laid out for prompt caching", () => {
  for (const id of BUILTIN_RUBRICS) {
    const { rubric } = loadRubric(id);
    for (const language of Object.keys(rubric.languages) as Language[]) {
      const text = rubric.languages[language];
      it(`${id} (${language}): every turn starts with the same rubric text, marked cacheable, holding no per-call text`, () => {
        // The system text is sent as is: a placeholder in it would make it differ per call.
        expect(text.system).not.toMatch(/\{\{\w+\}\}/);
        const constantLength = text.system.length;
        fc.assert(
          fc.property(fc.array(conversation, { minLength: 2, maxLength: 5 }), (conversations) => {
            const requests = conversations.map((messages) =>
              buildJudgeRequest(rubric, { language, conversation: messages, turnIndex: messages.length / 2 - 1 }),
            );
            const first = promptOf(requests[0] as ChatRequest);
            for (const request of requests) {
              expect(request.system).toBe(text.system);
              expect(request.cacheSystemPrompt).toBe(true);
              expect(request.system).not.toContain("«PER-CALL");
              expect(commonPrefixLength(first, promptOf(request))).toBeGreaterThanOrEqual(constantLength);
            }
          }),
          { seed: 1801, numRuns: 40 },
        );
      });
    }
  }

  it("the check can fail: a request with the reply before the rubric shares no prefix with another", () => {
    const { rubric } = loadRubric("jmedethic-safety");
    const swapped = (reply: string): ChatRequest => {
      const request = buildJudgeRequest(rubric, {
        language: "en",
        conversation: [
          { role: "user", content: "q" },
          { role: "assistant", content: reply },
        ],
        turnIndex: 0,
      });
      return { ...request, system: `${reply}\n${request.system ?? ""}` };
    };
    expect(commonPrefixLength(promptOf(swapped("A")), promptOf(swapped("B")))).toBe(0);
  });
});
