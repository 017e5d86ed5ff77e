import { describe, expect, it } from "vitest";
import {
  type AnswerToEncode,
  anthropicFormat,
  type DecodedRequest,
  googleFormat,
  openaiChatFormat,
  openaiResponsesFormat,
} from "./fixture-wire-formats.js";

const request: DecodedRequest = {
  model: "m",
  system: undefined,
  messages: [],
  jsonSchema: undefined,
  jsonViaTool: false,
};
const answer: AnswerToEncode = {
  text: "ok",
  json: undefined,
  inputTokens: 100,
  outputTokens: 5,
  cachedInputTokens: 60,
  cacheWriteTokens: 30,
};

describe("prompt-cache usage in each wire format", () => {
  it("OpenAI chat completions (and OpenAI-compatible servers): prompt_tokens_details.cached_tokens", () => {
    expect(openaiChatFormat.encodeAnswer(request, answer)).toMatchObject({
      usage: { prompt_tokens: 100, completion_tokens: 5, prompt_tokens_details: { cached_tokens: 60 } },
    });
  });

  it("the Responses API: input_tokens_details.cached_tokens", () => {
    expect(openaiResponsesFormat.encodeAnswer(request, answer)).toMatchObject({
      usage: { input_tokens: 100, input_tokens_details: { cached_tokens: 60 } },
    });
  });

  it("Anthropic: input_tokens is the input not read from or written to the cache", () => {
    expect(anthropicFormat.encodeAnswer(request, answer)).toMatchObject({
      usage: { input_tokens: 10, cache_read_input_tokens: 60, cache_creation_input_tokens: 30, output_tokens: 5 },
    });
  });

  it("Google: usageMetadata.cachedContentTokenCount, absent when nothing was cached", () => {
    expect(googleFormat.encodeAnswer(request, answer)).toMatchObject({
      usageMetadata: { promptTokenCount: 100, cachedContentTokenCount: 60 },
    });
    const uncached = googleFormat.encodeAnswer(request, { ...answer, cachedInputTokens: 0, cacheWriteTokens: 0 });
    expect(JSON.stringify(uncached)).not.toContain("cachedContentTokenCount");
  });
});
