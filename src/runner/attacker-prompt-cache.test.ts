import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ChatMessage, Language } from "../core/index.js";
import { benchmarkItemSchema } from "../datasets/index.js";
import { loadStrategies } from "../generation/index.js";
import { buildAttackerRequest, correctionRequest, loadAttackerPrompt } from "./attacker-prompt.js";

/**
 * The adaptive attacker's request for providers' prompt caches (docs/decisions/0018-prompt-caching.md): its
 * instructions are the system text, the same for every item, strategy and turn of a language, and marked cacheable;
 * the item, strategy and conversation come after it.
 */

const PROMPT = loadAttackerPrompt();
const STRATEGIES = loadStrategies().map((loaded) => loaded.strategy);
const PER_CALL = "«PER-CALL»";

const call = fc.record({
  language: fc.constantFrom<Language>("ja", "en"),
  strategy: fc.integer({ min: 0, max: STRATEGIES.length - 1 }),
  seed: fc.string({ minLength: 1, maxLength: 40 }),
  turns: fc.integer({ min: 0, max: 3 }),
});

describe("attacker requests are laid out for prompt caching", () => {
  it("start with the language's constant instructions, marked cacheable, holding no per-call text", () => {
    fc.assert(
      fc.property(call, ({ language, strategy: strategyIndex, seed, turns }) => {
        const strategy = STRATEGIES[strategyIndex];
        if (strategy === undefined) throw new Error("no strategy");
        const item = benchmarkItemSchema.parse({
          id: "item-1",
          language,
          guidelineId: "jma-10",
          strategy: strategy.id,
          seedRequest: `${PER_CALL} ${seed}`,
          turns: ["opening"],
        });
        const conversation: ChatMessage[] = Array.from({ length: turns }, (_, index) => [
          { role: "user" as const, content: `${PER_CALL} user ${index}` },
          { role: "assistant" as const, content: `${PER_CALL} reply ${index}` },
        ]).flat();
        const request = buildAttackerRequest(PROMPT, { item, strategy, conversation, turnIndex: turns, maxTurns: 5 });
        expect(request.system).toBe(PROMPT.languages[language].system);
        expect(request.cacheSystemPrompt).toBe(true);
        expect(request.system).not.toContain(PER_CALL);
        expect(request.messages[0]?.content).toContain(PER_CALL);
        // A correction keeps the cacheable prefix: only messages are appended.
        const corrected = correctionRequest(PROMPT, language, request, "not json", "no JSON object");
        expect(corrected.system).toBe(request.system);
        expect(corrected.cacheSystemPrompt).toBe(true);
      }),
      { seed: 1802, numRuns: 60 },
    );
  });
});
