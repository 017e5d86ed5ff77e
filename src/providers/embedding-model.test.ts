import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sharedModel, skipWithout } from "../../test/support/requirements.js";
import { defaultFixtureHandler, type FixtureServer, hashedEmbedding, startFixtureServer } from "../testing/index.js";
import { blobToVector, cosineSimilarity, createEmbeddingModel, vectorToBlob } from "./embedding-model.js";
import { LocalEmbeddingPool } from "./local-embedding-model.js";
import { type ModelSettingsInput, modelSettingsSchema } from "./model-settings.js";

const settings = (input: ModelSettingsInput) => modelSettingsSchema.parse({ retries: 0, ...input });
const modelsDir = path.resolve(import.meta.dirname, "../../../shared/models");
const storiesPath = path.join(modelsDir, "stories260K.gguf");

describe("EmbeddingModel over the AI SDK (fixture /v1/embeddings)", () => {
  let server: FixtureServer;
  let failures = 0;
  beforeAll(async () => {
    server = await startFixtureServer({
      handler: defaultFixtureHandler,
      embeddings: (input, model) => {
        if (model === "flaky" && failures++ === 0) throw new Error("boom");
        return input.map((text) => hashedEmbedding(text, 8));
      },
    });
  });
  afterAll(() => server.close());
  const local = {
    embeddingModel: () => {
      throw new Error("no local");
    },
  };

  it.each(["openai-compatible", "openai"] as const)(
    "%s: one Float32Array per text, in order, with usage",
    async (provider) => {
      const model = createEmbeddingModel(
        settings({
          id: "e",
          model: `${provider}:embed`,
          baseURL: server.openaiBaseURL,
          ...(provider === "openai" ? { apiKeyEnv: "FIXTURE_KEY" } : {}),
        }),
        { env: { FIXTURE_KEY: "k" }, local },
      );
      const result = await model.embed(["a cat", "a dog", "a cat"]);
      expect(result.embeddings).toHaveLength(3);
      expect(result.embeddings[0]).toBeInstanceOf(Float32Array);
      expect(result.embeddings[0]).toHaveLength(8);
      expect([...(result.embeddings[0] ?? [])]).toEqual([...(result.embeddings[2] ?? [])]);
      expect(result.usage.inputTokens).toBeGreaterThan(0);
      expect((await model.embed([])).embeddings).toEqual([]);
    },
  );

  it("retries a 5xx, then answers; other providers are a config error", async () => {
    const model = createEmbeddingModel(
      settings({ id: "e", model: "openai-compatible:flaky", baseURL: server.openaiBaseURL, retries: 2 }),
      { env: {}, local },
    );
    expect((await model.embed(["x"])).embeddings).toHaveLength(1);
    expect(() =>
      createEmbeddingModel(settings({ id: "e", model: "anthropic:x" }), { env: { ANTHROPIC_API_KEY: "k" }, local }),
    ).toThrow(/embeddings are served for openai:/);
    expect(() => createEmbeddingModel(settings({ id: "e", model: "openai-compatible:x" }), { env: {}, local })).toThrow(
      /has no baseURL/,
    );
  });

  it("cosine similarity and BLOB round trip", () => {
    const vector = Float32Array.from([1, 2, 3]);
    expect([...blobToVector(vectorToBlob(vector))]).toEqual([1, 2, 3]);
    expect(cosineSimilarity(vector, vector)).toBeCloseTo(1, 6);
    expect(cosineSimilarity(Float32Array.from([1, 0]), Float32Array.from([0, 1]))).toBe(0);
    expect(cosineSimilarity(Float32Array.from([0, 0]), Float32Array.from([0, 1]))).toBe(0);
  });
});

describe.skipIf(skipWithout(sharedModel("stories260K.gguf")))("LocalEmbeddingPool (real tiny GGUF, threads 1)", () => {
  const pool = new LocalEmbeddingPool();
  afterAll(() => pool.close());

  it("embeds with node-llama-cpp, deterministically", async () => {
    const model = pool.embeddingModel(
      settings({ id: "local-embed", model: `local:${storiesPath}`, threads: 1, contextSize: 256 }),
    );
    const first = await model.embed(["Once upon a time there was a cat.", "The dog ran to the park."]);
    const again = await model.embed(["Once upon a time there was a cat."]);
    expect(first.embeddings).toHaveLength(2);
    expect(first.embeddings[0]?.length).toBe(64);
    expect([...(again.embeddings[0] ?? [])]).toEqual([...(first.embeddings[0] ?? [])]);
    expect(first.usage.inputTokens).toBeGreaterThan(0);
    await model.close();
  });

  it("a missing file is model_unavailable naming the file", async () => {
    const model = pool.embeddingModel(settings({ id: "missing", model: "local:/nonexistent/x.gguf" }));
    await expect(model.embed(["x"])).rejects.toThrow(/Local embedding model file not found: \/nonexistent\/x.gguf/);
  });
});
