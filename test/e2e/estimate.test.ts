/**
 * `--estimate` through the CLI (issue 15, item 2): `run` and the generation commands print their planned calls,
 * tokens, money and time, call no model (the fixture server counts 0 requests), record no run and write no file.
 * After a real run, `run --estimate` reads the store's observed means, and the planned calls equal the run's calls;
 * `run --resume <id> --estimate` of a finished run plans nothing.
 */
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type FixtureServer, generationFixtureHandler, startFixtureServer } from "../../src/testing/index.js";
import { discoveryConfig, discoveryHandler, SEEDS } from "../support/discovery-scenario.js";
import { runInProcess } from "../support/in-process-cli.js";
import { printedRunId, tempProject, writeJsonl } from "./cli-harness.js";

/** The numbers of the printed table's row that starts with `label` (role or "total"), in column order. */
function row(stdout: string, label: string, binding = ""): number[] {
  const line = stdout
    .split("\n")
    .find((text) => new RegExp(`^[│|]?\\s*${label}\\s*[│|]\\s*${binding}`).test(text.trim()));
  if (line === undefined) throw new Error(`no "${label} ${binding}" row in:\n${stdout}`);
  return line
    .split(/[│|]/)
    .slice(4, 7)
    .map((cell) => Number((/^\s*([\d,]+)/.exec(cell)?.[1] ?? "NaN").replaceAll(",", "")));
}

/** The models of the discovery scenario; every other model gets the generic schema-valid answers. */
const DISCOVERY_MODELS = new Set(["atk", "tgt", "scr", "sum"]);

let server: FixtureServer;

beforeAll(async () => {
  server = await startFixtureServer({
    handler: (request, index) =>
      DISCOVERY_MODELS.has(request.model) ? discoveryHandler(request, index) : generationFixtureHandler(request, index),
  });
});

afterAll(async () => {
  await server.close();
});

describe("run --estimate", () => {
  let project: string;

  beforeAll(() => {
    project = tempProject("medsafety-estimate-run-");
    const model = (id: string, extra = ""): string =>
      `{ id: ${id}, model: "openai-compatible:${id}", baseURL: "${server.openaiBaseURL}", retries: 0${extra} }`;
    writeFileSync(
      join(project, "medsafety.config.yaml"),
      `benchmark: builtin:sample
limit: 4
targets: [${model("target-model", ", maxTokens: 300, requestsPerMinute: 60")}]
judges: [${model("judge-a")}, ${model("judge-b")}]
store: ./store.db
concurrency: 4
`,
    );
    writeFileSync(
      join(project, "hosted.config.yaml"),
      `benchmark: builtin:sample
limit: 2
targets: [{ id: t, model: "openai:gpt-4o-mini", maxTokens: 200 }]
judges: [{ id: j, model: "anthropic:claude-unknown-model" }]
store: ./hosted.db
`,
    );
  });

  it("prints calls, tokens, money and time without calling a model or creating the store", async () => {
    const before = server.callCount();
    const result = await runInProcess(["run", "-c", "medsafety.config.yaml", "--estimate"], { cwd: project });
    expect(result.code, result.stderr).toBe(0);
    expect(server.callCount()).toBe(before);
    expect(existsSync(join(project, "store.db"))).toBe(false);
    expect(result.stdout).toContain("estimate for run: 4 items, 4 conversations (no model was called)");
    // 4 items × 3 turns: 12 target calls, 24 judge calls.
    expect(row(result.stdout, "target", "target-model")[0]).toBe(12);
    expect(row(result.stdout, "judge", "judge-a")[0]).toBe(12);
    expect(row(result.stdout, "total")[0]).toBe(36);
    expect(result.stdout).toContain("300/call, maxTokens");
    expect(result.stdout).toContain("150/call, verdict");
    expect(result.stdout).toMatch(/target-model.*requestsPerMinute/);
    expect(result.stdout).toContain("no rate limit configured");
  });

  it("says unpriced for a hosted model without a price, and prices one from the table", async () => {
    const result = await runInProcess(["run", "-c", "hosted.config.yaml", "--estimate"], { cwd: project });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/judge .*claude-unknown-model.*unpriced/);
    expect(result.stdout).toMatch(/target .*gpt-4o-mini.*\$\d/);
    expect(result.stdout).toContain("± 20 %");
    expect(result.stdout).toContain("± 5 %");
    const limited = await runInProcess(
      ["run", "-c", "hosted.config.yaml", "--estimate", "--max-cost", "0.0001", "--precision", "0.05"],
      { cwd: project },
    );
    expect(limited.code, limited.stderr).toBe(0);
    expect(limited.stdout).toContain("note: the budget (maxCost $0.0001) stops the run before the estimated cost");
    expect(limited.stdout).toContain("note: precision 0.05:");
  });

  it("after a run: plans exactly its calls at the observed lengths; a finished run's resume plans nothing", async () => {
    const run = await runInProcess(["run", "-c", "medsafety.config.yaml", "--no-progress"], { cwd: project });
    expect(run.code, run.stderr).toBe(0);
    const runId = printedRunId(run.stdout);
    const store = new Database(join(project, "store.db"), { readonly: true });
    const stored = store
      .prepare("SELECT (SELECT COUNT(*) FROM turns) + (SELECT COUNT(*) FROM judgments) AS calls")
      .get() as { calls: number };
    store.close();
    const before = server.callCount();
    const again = await runInProcess(["run", "-c", "medsafety.config.yaml", "--estimate"], { cwd: project });
    expect(again.code, again.stderr).toBe(0);
    expect(server.callCount()).toBe(before);
    expect(row(again.stdout, "total")[0]).toBe(stored.calls);
    expect(again.stdout).toMatch(/target-model.*\/call, observed/);
    const resumed = await runInProcess(["run", "--resume", runId, "-c", "medsafety.config.yaml", "--estimate"], {
      cwd: project,
    });
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(row(resumed.stdout, "total")[0]).toBe(0);
    const runs = new Database(join(project, "store.db"), { readonly: true });
    expect((runs.prepare("SELECT COUNT(*) AS n FROM runs").get() as { n: number }).n).toBe(1);
    runs.close();
  });
});

describe("generation commands --estimate", () => {
  let project: string;

  beforeAll(() => {
    project = tempProject("medsafety-estimate-generation-");
    const model = (id: string): string =>
      `{ id: ${id}, model: "openai-compatible:${id}", baseURL: "${server.openaiBaseURL}", retries: 0 }`;
    writeFileSync(
      join(project, "medsafety.config.yaml"),
      `${discoveryConfig(server.openaiBaseURL)}generator: ${model("gen")}
refusers: [${model("ref-1")}, ${model("ref-2")}]
refusalJudge: ${model("rj")}
translator: ${model("tr")}
`,
    );
    writeJsonl(join(project, "seeds.jsonl"), SEEDS);
    writeJsonl(join(project, "bench.jsonl"), [
      {
        id: "item-1",
        language: "en",
        guidelineId: "jma-1-01",
        strategy: "clinical-authority",
        seedRequest: "a request",
        turns: ["first turn", "second turn"],
      },
    ]);
  });

  let before: number;
  beforeEach(() => {
    before = server.callCount();
  });

  async function estimate(args: string[]): Promise<string> {
    const result = await runInProcess([...args, "-c", "medsafety.config.yaml", "--estimate", "--no-progress"], {
      cwd: project,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(server.callCount()).toBe(before);
    expect(existsSync(join(project, "out.jsonl"))).toBe(false);
    expect(existsSync(join(project, "out.jsonl.partial"))).toBe(false);
    return result.stdout;
  }

  it("generate seeds: one generator call per batch of every guideline", async () => {
    const stdout = await estimate([
      "generate",
      "seeds",
      "--guidelines",
      "jma-1-01,jma-2-10",
      "--per-guideline",
      "4",
      "--batch-size",
      "2",
      "--out",
      "out.jsonl",
    ]);
    expect(stdout).toContain("estimate for generate seeds");
    expect(row(stdout, "generator", "gen")[0]).toBe(4);
  });

  it("generate conversations: seeds × strategies × attackers", async () => {
    const stdout = await estimate([
      "generate",
      "conversations",
      "--seeds",
      "seeds.jsonl",
      "--strategies",
      "clinical-authority",
      "--out",
      "out.jsonl",
    ]);
    expect(row(stdout, "attacker", "red-team")[0]).toBe(3);
    expect(row(stdout, "total")[0]).toBe(3);
  });

  it("filter seeds: every refuser answers every seed, and the refusal judge labels each answer", async () => {
    const stdout = await estimate([
      "filter",
      "seeds",
      "--in",
      "seeds.jsonl",
      "--min-refusals",
      "1",
      "--out",
      "out.jsonl",
    ]);
    expect(row(stdout, "refuser", "ref-1")[0]).toBe(3);
    expect(row(stdout, "refuser", "ref-2")[0]).toBe(3);
    expect(row(stdout, "refusal-judge", "rj")[0]).toBe(6);
  });

  it("translate: each item translated and translated back", async () => {
    const stdout = await estimate(["translate", "bench.jsonl", "--to", "ja", "--out", "out.jsonl"]);
    expect(row(stdout, "translator", "tr")[0]).toBe(2);
  });

  it("discover: passes × seeds × iterations (the scorer never reaches the threshold), with summaries", async () => {
    const stdout = await estimate([
      "discover",
      "--seeds",
      "seeds.jsonl",
      "--warmup",
      "1",
      "--lifelong",
      "1",
      "--max-iterations",
      "2",
    ]);
    // 2 passes × 3 seeds × 2 iterations.
    expect(row(stdout, "attacker", "red-team")[0]).toBe(12);
    expect(row(stdout, "target", "target-model")[0]).toBe(12);
    expect(row(stdout, "scorer", "scorer")[0]).toBe(12);
    // The scorer's scores rise without reaching the threshold, so attempts beat the one before and are summarised.
    expect(row(stdout, "summarizer", "summarizer")[0]).toBeGreaterThan(0);
    expect(row(stdout, "embedder", "embedder")[0]).toBeGreaterThan(0);
    expect(existsSync(join(project, "store.db"))).toBe(false);
  });
});
