import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { bindDiscoveryModels } from "./bind-discovery-models.js";
import { loadConfig } from "./load-config.js";

let folder: string;
beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), "medsafety-discovery-roles-"));
});
afterEach(() => {
  rmSync(folder, { recursive: true, force: true });
});

const URL = "http://127.0.0.1:9/v1";
const CONFIG = `targets: [{ id: t1, model: "openai-compatible:t1", baseURL: "${URL}" }, { id: t2, model: "openai-compatible:t2", baseURL: "${URL}" }]
attackers: [{ id: atk, model: "openai-compatible:a", baseURL: "${URL}", temperature: 1 }]
scorer: { id: scorer, model: "openai-compatible:s", baseURL: "${URL}" }
summarizer: { id: summarizer, model: "openai-compatible:m", baseURL: "${URL}" }
embedder: { id: embedder, model: "local:./models/embed.gguf" }
`;

function load(text: string) {
  const path = join(folder, "medsafety.config.yaml");
  writeFileSync(path, text);
  return loadConfig(path);
}

describe("discovery roles in the config", () => {
  it("parses scorer, summarizer and embedder (local paths resolved against the config) and binds the defaults", async () => {
    const loaded = load(CONFIG);
    expect(loaded.config.embedder?.model).toBe(`local:${join(folder, "models/embed.gguf")}`);
    const bound = bindDiscoveryModels(loaded.config, {}, { env: {}, configPath: loaded.path, lineOf: loaded.lineOf });
    expect(Object.fromEntries(Object.entries(bound.roles).map(([role, model]) => [role, model.id]))).toEqual({
      attacker: "atk",
      target: "t1",
      scorer: "scorer",
      summarizer: "summarizer",
      embedder: "embedder",
    });
    expect(bound.roles.attacker.sampling).toEqual({ temperature: 1 });
    await bound.close();
  });

  it("takes any binding by id from the command line, and names the missing role or unknown id", async () => {
    const loaded = load(CONFIG);
    const bound = bindDiscoveryModels(
      loaded.config,
      { target: "t2", scorer: "t1" },
      { env: {}, configPath: loaded.path },
    );
    expect([bound.roles.target.id, bound.roles.scorer.id]).toEqual(["t2", "t1"]);
    await bound.close();
    expect(() => bindDiscoveryModels(loaded.config, { target: "nope" }, { env: {}, configPath: loaded.path })).toThrow(
      /--target names "nope", which is no binding id/,
    );
    const bare = load(CONFIG.replace(/^summarizer:.*\n/m, ""));
    expect(() => bindDiscoveryModels(bare.config, {}, { env: {}, configPath: bare.path })).toThrow(
      /discover needs a summarizer model/,
    );
    const anthropic = load(CONFIG.replace(/^embedder:.*$/m, 'embedder: { id: embedder, model: "anthropic:claude" }'));
    expect(() =>
      bindDiscoveryModels(
        anthropic.config,
        {},
        { env: { ANTHROPIC_API_KEY: "k" }, configPath: anthropic.path, lineOf: anthropic.lineOf },
      ),
    ).toThrow(/embeddings are served for openai:, openai-compatible: and local:/);
  });

  it("rejects unknown keys in the new roles", () => {
    expect(() => load(CONFIG.replace("scorer: { id: scorer,", "scorer: { id: scorer, rubrik: x,"))).toThrow(/rubrik/);
  });
});
