import { countTokens } from "gpt-tokenizer/encoding/o200k_base";
import { afterEach, describe, expect, it } from "vitest";
import { loadRubric } from "../judges/index.js";
import { DEFAULT_MINIMUM_CACHED_TOKENS, type FixturePromptCacheOption } from "./fixture-prompt-cache.js";
import { type FixtureServer, startFixtureServer } from "./fixture-server.js";

/** About `tokens` fixture tokens of constant text (four characters each). */
function longText(tokens: number, seed = "rubric"): string {
  return `${seed} `.repeat(tokens * 4).slice(0, tokens * 4);
}

const SYSTEM = longText(1500);
const SHORT_SYSTEM = longText(600);

let server: FixtureServer | undefined;

afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function start(promptCache?: FixturePromptCacheOption): Promise<FixtureServer> {
  server = await startFixtureServer({
    handler: () => ({ kind: "text", text: "ok" }),
    ...(promptCache === undefined ? {} : { promptCache }),
  });
  return server;
}

async function post(url: string, body: unknown): Promise<Record<string, unknown>> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as Record<string, unknown>;
}

function openaiBody(model: string, system: string, user: string): unknown {
  return {
    model,
    messages: [
      { role: "system", content: system },
      { role: "user", content: user },
    ],
  };
}

async function openaiUsage(running: FixtureServer, model: string, system: string, user: string) {
  const answer = await post(`${running.openaiBaseURL}/chat/completions`, openaiBody(model, system, user));
  return answer["usage"] as {
    prompt_tokens: number;
    prompt_tokens_details: { cached_tokens: number };
  };
}

function anthropicBody(model: string, system: string, user: string, marked: boolean): unknown {
  return {
    model,
    max_tokens: 16,
    system: [{ type: "text", text: system, ...(marked ? { cache_control: { type: "ephemeral" } } : {}) }],
    messages: [{ role: "user", content: [{ type: "text", text: user }] }],
  };
}

interface AnthropicUsage {
  input_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

async function anthropicUsage(
  running: FixtureServer,
  model: string,
  system: string,
  user: string,
  marked: boolean,
): Promise<AnthropicUsage> {
  const answer = await post(`${running.anthropicBaseURL}/messages`, anthropicBody(model, system, user, marked));
  return answer["usage"] as AnthropicUsage;
}

async function googleUsage(running: FixtureServer, model: string, system: string, user: string) {
  const answer = await post(`${running.googleBaseURL}/models/${model}:generateContent`, {
    systemInstruction: { parts: [{ text: system }] },
    contents: [{ role: "user", parts: [{ text: user }] }],
  });
  return answer["usageMetadata"] as { promptTokenCount: number; cachedContentTokenCount?: number };
}

describe("the fixture server's prompt-cache simulation", () => {
  it("OpenAI: a prefix seen before reports cached_tokens in 128-token steps, only from 1,024 tokens on", async () => {
    const running = await start(true);
    const first = await openaiUsage(running, "gpt-4o-mini", SYSTEM, "first item");
    expect(first.prompt_tokens_details.cached_tokens).toBe(0);
    const second = await openaiUsage(running, "gpt-4o-mini", SYSTEM, "another item, another reply");
    // 1,500 tokens of shared system text: the largest multiple of 128 inside the shared prefix.
    expect(second.prompt_tokens_details.cached_tokens).toBe(1408);
    expect(second.prompt_tokens_details.cached_tokens % 128).toBe(0);
    expect(second.prompt_tokens_details.cached_tokens).toBeLessThanOrEqual(second.prompt_tokens);
    // Another model has its own cache.
    const otherModel = await openaiUsage(running, "gpt-4.1-mini", SYSTEM, "another item");
    expect(otherModel.prompt_tokens_details.cached_tokens).toBe(0);
    // A prefix shorter than the minimum is never cached, however often it repeats.
    await openaiUsage(running, "gpt-4o-mini", SHORT_SYSTEM, "a");
    const short = await openaiUsage(running, "gpt-4o-mini", SHORT_SYSTEM, "b");
    expect(short.prompt_tokens_details.cached_tokens).toBe(0);
    // The per-call part first and the constant part after it: nothing is shared from the start.
    await openaiUsage(running, "gpt-4o-mini", "item 1", SYSTEM);
    const misplaced = await openaiUsage(running, "gpt-4o-mini", "item 2", SYSTEM);
    expect(misplaced.prompt_tokens_details.cached_tokens).toBe(0);
  });

  it("OpenAI: a smaller minimum caches shorter prefixes; without the option nothing is cached", async () => {
    const lowered = await start({ minimumTokens: 256 });
    await openaiUsage(lowered, "m", SHORT_SYSTEM, "a");
    expect((await openaiUsage(lowered, "m", SHORT_SYSTEM, "b")).prompt_tokens_details.cached_tokens).toBe(512);
    await lowered.close();
    const off = await start();
    await openaiUsage(off, "m", SYSTEM, "a");
    expect((await openaiUsage(off, "m", SYSTEM, "b")).prompt_tokens_details.cached_tokens).toBe(0);
  });

  it("Anthropic: a system block marked cache_control is written once, then read; unmarked or short, never", async () => {
    const running = await start(true);
    const written = await anthropicUsage(running, "claude-sonnet-4-5", SYSTEM, "item 1", true);
    expect(written).toMatchObject({ cache_creation_input_tokens: 1500, cache_read_input_tokens: 0 });
    const read = await anthropicUsage(running, "claude-sonnet-4-5", SYSTEM, "item 2, longer", true);
    expect(read).toMatchObject({ cache_creation_input_tokens: 0, cache_read_input_tokens: 1500 });
    // input_tokens excludes the cache's tokens, as Anthropic reports it.
    expect(read.input_tokens).toBeGreaterThan(0);
    expect(read.input_tokens).toBeLessThan(100);
    // Not marked: no caching at all, even for a prefix seen before.
    const unmarked = await anthropicUsage(running, "claude-sonnet-4-5", SYSTEM, "item 3", false);
    expect(unmarked).toMatchObject({ cache_creation_input_tokens: 0, cache_read_input_tokens: 0 });
    // Marked but shorter than the minimum: processed without caching.
    await anthropicUsage(running, "claude-sonnet-4-5", SHORT_SYSTEM, "a", true);
    const short = await anthropicUsage(running, "claude-sonnet-4-5", SHORT_SYSTEM, "b", true);
    expect(short).toMatchObject({ cache_creation_input_tokens: 0, cache_read_input_tokens: 0 });
    // Another model writes its own cache entry.
    const otherModel = await anthropicUsage(running, "claude-haiku-4-5", SYSTEM, "item 1", true);
    expect(otherModel).toMatchObject({ cache_creation_input_tokens: 1500, cache_read_input_tokens: 0 });
  });

  it("Google: a repeated prefix reports cachedContentTokenCount", async () => {
    const running = await start(true);
    const first = await googleUsage(running, "gemini-2.5-flash", SYSTEM, "item 1");
    expect(first.cachedContentTokenCount).toBeUndefined();
    const second = await googleUsage(running, "gemini-2.5-flash", SYSTEM, "item 2");
    expect(second.cachedContentTokenCount).toBe(1408);
    expect(second.promptTokenCount).toBeGreaterThanOrEqual(1408);
  });

  it("a reply's own cache tokens win over the simulation", async () => {
    server = await startFixtureServer({
      handler: (_request, index) =>
        index === 1 ? { kind: "text", text: "ok", cachedInputTokens: 7 } : { kind: "text", text: "ok" },
      promptCache: true,
    });
    await openaiUsage(server, "m", SYSTEM, "a");
    expect((await openaiUsage(server, "m", SYSTEM, "b")).prompt_tokens_details.cached_tokens).toBe(7);
    expect((await openaiUsage(server, "m", SYSTEM, "c")).prompt_tokens_details.cached_tokens).toBe(1408);
  });

  it("the default minimum is the services' 1,024 tokens", () => {
    expect(DEFAULT_MINIMUM_CACHED_TOKENS).toBe(1024);
  });
});

describe("the prompt-cache simulation with OpenAI's tokenizer (countTokens)", () => {
  // Which real rubrics reach the services' 1,024-token minimum (docs/decisions/0018-prompt-caching.md): the Japanese
  // texts of the longer rubrics do, no English one does.
  const harmJa = loadRubric("medsafetybench-harm").rubric.languages.ja.system;
  const safetyEn = loadRubric("jmedethic-safety").rubric.languages.en.system;

  it("counts the cached prefix with the server's tokenizer, as its usage is counted", async () => {
    server = await startFixtureServer({
      handler: () => ({ kind: "text", text: "ok" }),
      promptCache: true,
      countTokens,
    });
    expect(countTokens(harmJa)).toBeGreaterThan(DEFAULT_MINIMUM_CACHED_TOKENS);
    await openaiUsage(server, "gpt-4o-mini", harmJa, "項目 1");
    const second = await openaiUsage(server, "gpt-4o-mini", harmJa, "項目 2");
    expect(second.prompt_tokens_details.cached_tokens).toBe(Math.floor((3 + countTokens(harmJa)) / 128) * 128);
    expect(second.prompt_tokens).toBe(3 + 3 + countTokens(harmJa) + 3 + countTokens("項目 2"));
    const written = await anthropicUsage(server, "claude-sonnet-4-5", harmJa, "項目 1", true);
    expect(written.cache_creation_input_tokens).toBe(countTokens(harmJa));
    const read = await anthropicUsage(server, "claude-sonnet-4-5", harmJa, "項目 2", true);
    expect(read.cache_read_input_tokens).toBe(countTokens(harmJa));

    // An English rubric is under the minimum: sent a thousand times, never cached.
    expect(countTokens(safetyEn)).toBeLessThan(DEFAULT_MINIMUM_CACHED_TOKENS);
    await openaiUsage(server, "gpt-4o-mini", safetyEn, "item 1");
    expect((await openaiUsage(server, "gpt-4o-mini", safetyEn, "item 2")).prompt_tokens_details.cached_tokens).toBe(0);
    await anthropicUsage(server, "claude-sonnet-4-5", safetyEn, "item 1", true);
    const english = await anthropicUsage(server, "claude-sonnet-4-5", safetyEn, "item 2", true);
    expect(english).toMatchObject({ cache_creation_input_tokens: 0, cache_read_input_tokens: 0 });
  });
});

/** Sends an OpenAI batch of chat bodies through the fixture's Batch API and returns each result line's usage. */
async function openaiBatchUsages(running: FixtureServer, bodies: readonly unknown[]) {
  const jsonl = bodies
    .map((body, index) => JSON.stringify({ custom_id: `r${index}`, method: "POST", url: "/v1/chat/completions", body }))
    .join("\n");
  const form = new FormData();
  form.append("purpose", "batch");
  form.append("file", new Blob([jsonl]), "batch.jsonl");
  const file = (await (await fetch(`${running.openaiBaseURL}/files`, { method: "POST", body: form })).json()) as {
    id: string;
  };
  const created = await post(`${running.openaiBaseURL}/batches`, {
    input_file_id: file.id,
    endpoint: "/v1/chat/completions",
    completion_window: "24h",
  });
  const ended = (await (await fetch(`${running.openaiBaseURL}/batches/${String(created["id"])}`)).json()) as {
    output_file_id: string;
  };
  const output = await (await fetch(`${running.openaiBaseURL}/files/${ended.output_file_id}/content`)).text();
  return output
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as { custom_id: string; response: { body: { usage: unknown } } })
    .map((line) => line.response.body.usage as Awaited<ReturnType<typeof openaiUsage>>);
}

/** Sends an Anthropic message batch of bodies and returns each result's usage, in the order sent. */
async function anthropicBatchUsages(running: FixtureServer, bodies: readonly unknown[]): Promise<AnthropicUsage[]> {
  const requests = bodies.map((params, index) => ({ custom_id: `r${index}`, params }));
  const created = await post(`${running.anthropicBaseURL}/messages/batches`, { requests });
  const ended = (await (
    await fetch(`${running.anthropicBaseURL}/messages/batches/${String(created["id"])}`)
  ).json()) as {
    results_url: string;
  };
  const results = await (await fetch(ended.results_url)).text();
  return results
    .trim()
    .split("\n")
    .map((line) => JSON.parse(line) as { result: { message: { usage: AnthropicUsage } } })
    .map((line) => line.result.message.usage);
}

describe("the prompt-cache simulation in batches", () => {
  it("OpenAI batch: requests after the first that share a ≥ 1,024-token prefix report cached_tokens", async () => {
    const running = await start(true);
    const usages = await openaiBatchUsages(
      running,
      ["a", "b", "c"].map((user) => openaiBody("gpt-4o-mini", SYSTEM, `item ${user}`)),
    );
    expect(usages.map((usage) => usage.prompt_tokens_details.cached_tokens)).toEqual([0, 1408, 1408]);
    // The cache is the server's: a synchronous call afterwards reads the prefix the batch wrote.
    expect((await openaiUsage(running, "gpt-4o-mini", SYSTEM, "d")).prompt_tokens_details.cached_tokens).toBe(1408);
  });

  it("Anthropic batch: the marked system block is written by the first request, read by the others", async () => {
    const running = await start(true);
    const usages = await anthropicBatchUsages(
      running,
      ["a", "b", "c"].map((user) => anthropicBody("claude-sonnet-4-5", SYSTEM, `item ${user}`, true)),
    );
    expect(usages.map((usage) => [usage.cache_creation_input_tokens, usage.cache_read_input_tokens])).toEqual([
      [1500, 0],
      [0, 1500],
      [0, 1500],
    ]);
  });

  it("counts a batch's tokens with the server's countTokens, as a synchronous call is counted", async () => {
    server = await startFixtureServer({ handler: () => ({ kind: "text", text: "ok" }), countTokens });
    const [usage] = await openaiBatchUsages(server, [openaiBody("gpt-4o-mini", SYSTEM, "item")]);
    const direct = await openaiUsage(server, "gpt-4o-mini", SYSTEM, "item");
    expect(usage).toEqual(direct);
    expect(usage?.prompt_tokens).toBe(3 + 3 + countTokens(SYSTEM) + 3 + countTokens("item"));
    // Without `promptCache` nothing is cached, in batches as elsewhere.
    expect(usage?.prompt_tokens_details.cached_tokens).toBe(0);
  });
});
