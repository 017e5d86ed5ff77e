import { createOpenAI } from "@ai-sdk/openai";
import { generateText } from "ai";
import { afterEach, describe, expect, it } from "vitest";
import { defaultFixtureHandler } from "./default-handler.js";
import { type FixtureServer, type FixtureServerOptions, startFixtureServer } from "./fixture-server.js";

describe("fixture server", () => {
  let server: FixtureServer | undefined;
  const start = async (options: FixtureServerOptions) => (server = await startFixtureServer(options));
  afterEach(async () => {
    await server?.close();
    server = undefined;
  });

  const post = (url: string, body: string) =>
    fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body });

  it("answers unknown routes with 404 JSON and bad JSON with 400 in the provider's shape", async () => {
    const running = await start({ handler: defaultFixtureHandler });
    const missing = await post(`${running.url}/v2/nothing`, "{}");
    expect(missing.status).toBe(404);
    expect(await missing.json()).toMatchObject({ error: { message: expect.stringContaining("/v2/nothing") } });
    const broken = await post(`${running.anthropicBaseURL}/messages`, "{not json");
    expect(broken.status).toBe(400);
    expect(await broken.json()).toEqual({
      type: "error",
      error: { type: "invalid_request_error", message: expect.any(String) },
    });
    expect(running.callCount()).toBe(0);
  });

  it("serves the Responses API that openai(modelId) uses by default", async () => {
    const running = await start({
      handler: () => ({ kind: "text", text: "via responses", inputTokens: 4, outputTokens: 2 }),
    });
    const openai = createOpenAI({ baseURL: running.openaiBaseURL, apiKey: "test" });
    const result = await generateText({ model: openai("gpt-4o-mini"), system: "Sys.", prompt: "Hi", maxRetries: 0 });
    expect(result.text).toBe("via responses");
    expect(result.usage).toMatchObject({ inputTokens: 4, outputTokens: 2 });
    expect(running.requests[0]).toMatchObject({
      provider: "openai",
      model: "gpt-4o-mini",
      system: "Sys.",
      messages: [{ role: "user", content: "Hi" }],
    });
  });

  it("passes error bodies and headers through as given", async () => {
    const running = await start({
      handler: () => ({ kind: "error", status: 429, body: { custom: true }, headers: { "retry-after": "3" } }),
    });
    const response = await post(
      `${running.openaiBaseURL}/chat/completions`,
      JSON.stringify({ model: "m", messages: [] }),
    );
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("3");
    expect(await response.json()).toEqual({ custom: true });
  });

  it("delays answers by latencyMs and can skip recording", async () => {
    const running = await start({ handler: defaultFixtureHandler, latencyMs: 100, record: false });
    const started = Date.now();
    const response = await post(
      `${running.googleBaseURL}/models/gemini-2.0-flash:generateContent`,
      JSON.stringify({ contents: [{ role: "user", parts: [{ text: "hi" }] }] }),
    );
    expect(Date.now() - started).toBeGreaterThanOrEqual(95);
    expect(await response.json()).toMatchObject({
      candidates: [{ content: { parts: [{ text: "I can't help with that request." }] } }],
    });
    expect(running.callCount()).toBe(1);
    expect(running.requests).toEqual([]);
  });

  it("releases hanging requests when it closes", async () => {
    const running = await start({ handler: () => ({ kind: "hang" }) });
    const pending = post(
      `${running.openaiBaseURL}/chat/completions`,
      JSON.stringify({ model: "m", messages: [] }),
    ).then(
      () => "answered",
      () => "released",
    );
    while (running.callCount() === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    await running.close();
    expect(await pending).toBe("released");
  });

  it("keeps up with many concurrent keep-alive requests", async () => {
    const running = await start({ handler: defaultFixtureHandler, latencyMs: 20, record: false });
    const body = JSON.stringify({ model: "m", messages: [{ role: "user", content: "hi" }] });
    // No wall-clock bound: these machines are shared and noisy (speed is measured in bench/, not asserted here).
    const responses = await Promise.all(
      Array.from({ length: 1_000 }, () =>
        post(`${running.openaiBaseURL}/chat/completions`, body).then((response) => response.json()),
      ),
    );
    expect(responses).toHaveLength(1_000);
    expect(running.callCount()).toBe(1_000);
  });
});
