import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { inputErrorOf as errorOf } from "../../test/support/input-error.js";
import { bindPipelineModels } from "./bind-pipeline-models.js";
import { loadConfig } from "./load-config.js";

let folder: string;
beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), "medsafety-roles-"));
});
afterEach(() => {
  rmSync(folder, { recursive: true, force: true });
});

const BASE = `targets: [{ id: t, model: "openai-compatible:t", baseURL: "http://127.0.0.1:9/v1" }]
judges: [{ id: j, model: "openai-compatible:j", baseURL: "http://127.0.0.1:9/v1" }]
`;
const ROLES = `generator: { id: gen, model: "openai-compatible:gen", baseURL: "http://127.0.0.1:9/v1", temperature: 0.7 }
attackers:
  - { id: atk-a, model: "openai-compatible:a", baseURL: "http://127.0.0.1:9/v1" }
  - { id: atk-b, model: "openai-compatible:b", baseURL: "http://127.0.0.1:9/v1" }
refusers:
  - { id: ref-a, model: "openai-compatible:ra", baseURL: "http://127.0.0.1:9/v1" }
refusalJudge: { id: rj, model: "local:./judge.gguf" }
translator: { id: tr, model: "openai-compatible:tr", baseURL: "http://127.0.0.1:9/v1" }
`;

function write(text: string): string {
  const path = join(folder, "medsafety.config.yaml");
  writeFileSync(path, text);
  return path;
}

describe("pipeline roles in the config", () => {
  it("parses generator, attackers, refusers, refusalJudge and translator and resolves local: paths", () => {
    const { config } = loadConfig(write(BASE + ROLES));
    expect(config.generator).toMatchObject({ id: "gen", temperature: 0.7, retries: 4 });
    expect(config.attackers?.map((attacker) => attacker.id)).toEqual(["atk-a", "atk-b"]);
    expect(config.refusalJudge?.model).toBe(`local:${join(folder, "judge.gguf")}`);
    expect(config.translator?.id).toBe("tr");
  });

  it("rejects an id used twice among attackers, naming line and field", () => {
    const error = errorOf(() =>
      loadConfig(write(`${BASE}attackers:\n  - { id: a, model: "openai:x" }\n  - { id: a, model: "openai:y" }\n`)),
    );
    expect(error.location.field).toBe("attackers.1.id");
    expect(error.location.line).toBe(5);
    expect(error.message).toContain("used twice in attackers");
  });

  it("rejects an unknown key inside a role binding", () => {
    const error = errorOf(() => loadConfig(write(`${BASE}translator: { id: tr, model: "openai:x", temprature: 1 }\n`)));
    expect(error.location.field).toBe("translator.temprature");
  });
});

describe("bindPipelineModels", () => {
  it("binds the requested roles and selects attackers by id in the given order", async () => {
    const loaded = loadConfig(write(BASE + ROLES));
    const bound = bindPipelineModels(
      loaded.config,
      { generator: true, attackers: ["atk-b", "atk-a"], refusers: "all", translator: true },
      { env: {}, configPath: loaded.path, lineOf: loaded.lineOf },
    );
    expect(bound.generator).toMatchObject({ id: "gen", spec: "openai-compatible:gen", sampling: { temperature: 0.7 } });
    expect(bound.attackers.map((attacker) => attacker.id)).toEqual(["atk-b", "atk-a"]);
    expect(bound.refusers.map((refuser) => refuser.id)).toEqual(["ref-a"]);
    expect(bound.refusalJudge).toBeUndefined();
    await bound.close();
  });

  it("names the missing role and how to add it", () => {
    const loaded = loadConfig(write(BASE));
    const error = errorOf(() =>
      bindPipelineModels(
        loaded.config,
        { generator: true },
        { env: {}, configPath: loaded.path, lineOf: loaded.lineOf },
      ),
    );
    expect(error.code).toBe("config_invalid");
    expect(error.location).toMatchObject({ file: loaded.path, field: "generator" });
    expect(error.message).toContain("generator: { id:");
  });

  it("names an unknown --attackers id and lists the known ones", () => {
    const loaded = loadConfig(write(BASE + ROLES));
    const error = errorOf(() =>
      bindPipelineModels(
        loaded.config,
        { attackers: ["atk-a", "atk-z"] },
        { env: {}, configPath: loaded.path, lineOf: loaded.lineOf },
      ),
    );
    expect(error.location.field).toBe("attackers");
    expect(error.location.line).toBe(4);
    expect(error.message).toContain('"atk-z"');
    expect(error.message).toContain("atk-a, atk-b");
  });

  it("locates a binding the provider rejects (missing API key) by its config path", () => {
    const loaded = loadConfig(write(`${BASE}translator: { id: tr, model: "openai:gpt-4o", apiKeyEnv: NO_SUCH_KEY }\n`));
    const error = errorOf(() =>
      bindPipelineModels(
        loaded.config,
        { translator: true },
        { env: {}, configPath: loaded.path, lineOf: loaded.lineOf },
      ),
    );
    expect(error.location).toMatchObject({ field: "translator", line: 3 });
    expect(error.message).toContain("NO_SUCH_KEY");
  });

  it("binds the refusal judge with the built-in refusal rubric by default", async () => {
    const loaded = loadConfig(
      write(`${BASE}refusalJudge: { id: rj, model: "openai-compatible:rj", baseURL: "http://127.0.0.1:9/v1" }\n`),
    );
    const bound = bindPipelineModels(
      loaded.config,
      { refusalJudge: true },
      { env: {}, configPath: loaded.path, lineOf: loaded.lineOf },
    );
    expect(bound.refusalJudge?.rubric.rubric.id).toBe("refusal");
    expect(bound.refusalJudge?.rubric.rubric.labels).toContain("refuse");
    await bound.close();
  });

  it("refuses a refusal rubric without a refuse label", () => {
    const loaded = loadConfig(
      write(
        `${BASE}refusalJudge: { id: rj, model: "openai-compatible:rj", baseURL: "http://127.0.0.1:9/v1", rubric: jmedethic-safety }\n`,
      ),
    );
    const error = errorOf(() =>
      bindPipelineModels(
        loaded.config,
        { refusalJudge: true },
        { env: {}, configPath: loaded.path, lineOf: loaded.lineOf },
      ),
    );
    expect(error.location.field).toBe("refusalJudge.rubric");
  });
});
