import { afterEach, describe, expect, it } from "vitest";
import { type FixtureServer, startFixtureServer } from "../testing/index.js";
import { createAiSdkModel } from "./ai-sdk-model.js";
import type { ChatRequest } from "./chat-model.js";
import { CONTRACT_ENV, contractSettings } from "./chat-model-targets.contract.js";

/**
 * `cacheSystemPrompt` on the wire (docs/decisions/0018-prompt-caching.md): Anthropic gets `cache_control` on the system
 * block and nowhere else; OpenAI and Google need nothing (their caches are automatic), so their requests are unchanged.
 */

globalThis.AI_SDK_LOG_WARNINGS = false;

const SYSTEM = "You are a careful grader. Reply with a JSON verdict.";
const REQUEST: ChatRequest = { system: SYSTEM, messages: [{ role: "user", content: "Grade this reply." }] };

let server: FixtureServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function bodyOf(model: string, request: ChatRequest): Promise<Record<string, unknown>> {
  server ??= await startFixtureServer({ handler: () => ({ kind: "text", text: "ok" }) });
  const baseURL = model.startsWith("anthropic:")
    ? server.anthropicBaseURL
    : model.startsWith("google:")
      ? server.googleBaseURL
      : server.openaiBaseURL;
  await createAiSdkModel(contractSettings(model, baseURL), CONTRACT_ENV).generate(request);
  return server.requests.at(-1)?.body as Record<string, unknown>;
}

describe("cacheSystemPrompt on the wire", () => {
  it("Anthropic: the system block carries cache_control, only when asked", async () => {
    const marked = await bodyOf("anthropic:claude-sonnet-4-5", { ...REQUEST, cacheSystemPrompt: true });
    expect(marked["system"]).toEqual([{ type: "text", text: SYSTEM, cache_control: { type: "ephemeral" } }]);
    expect(JSON.stringify(marked["messages"])).not.toContain("cache_control");
    const unmarked = await bodyOf("anthropic:claude-sonnet-4-5", REQUEST);
    expect(JSON.stringify(unmarked)).not.toContain("cache_control");
    expect(unmarked["system"]).toEqual([{ type: "text", text: SYSTEM }]);
  });

  it("OpenAI, OpenAI-compatible and Google: the same request with or without it, the system text first", async () => {
    for (const model of ["openai:gpt-4o-mini", "openai-compatible:llama3", "google:gemini-2.5-flash"]) {
      const marked = await bodyOf(model, { ...REQUEST, cacheSystemPrompt: true });
      const unmarked = await bodyOf(model, REQUEST);
      expect(marked, model).toEqual(unmarked);
      expect(JSON.stringify(marked)).not.toMatch(/cache_control|cachedContent|prompt_cache_key/);
    }
    const openai = await bodyOf("openai:gpt-4o-mini", { ...REQUEST, cacheSystemPrompt: true });
    expect((openai["messages"] as unknown[])[0]).toEqual({ role: "system", content: SYSTEM });
    const google = await bodyOf("google:gemini-2.5-flash", { ...REQUEST, cacheSystemPrompt: true });
    expect(google["systemInstruction"]).toEqual({ parts: [{ text: SYSTEM }] });
  });
});
