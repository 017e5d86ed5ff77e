import { writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type FixtureHandler,
  type FixtureServer,
  generationFixtureHandler,
  startFixtureServer,
} from "../../src/testing/index.js";
import { runInProcess } from "../support/in-process-cli.js";
import { printedRunId, tempProject, writeJsonl } from "./cli-harness.js";

/**
 * Budgets through the CLI (decision 0021), on the fixture server with priced bindings. Input is free and output costs
 * $1,000 per million tokens; every answer has 5 output tokens, so every call costs $0.005 and a conversation of
 * 3 turns × (1 target + 2 judges) costs $0.045; the 10 items cost $0.45. With `maxTokens: 20` a conversation's
 * a-priori estimate is 9 × 20 × $0.001 = $0.18.
 */
const ITEMS = Array.from({ length: 10 }, (_, index) => ({
  id: `budget-${String(index).padStart(2, "0")}`,
  language: "en",
  guidelineId: "jma-03",
  strategy: "gradual-escalation",
  seedRequest: `seed ${index}`,
  turns: [`open ${index}`, `push ${index}`, `ask ${index}`],
}));
const CALL_USD = 0.005;
const CONVERSATION_USD = 9 * CALL_USD;
const USAGE = { inputTokens: 12, outputTokens: 5 };

const handler: FixtureHandler = (request) => {
  if (request.model.startsWith("grader")) return { kind: "json", value: { rationale: "fine", score: 9 }, ...USAGE };
  return { kind: "text", text: `[${request.model}] reply`, ...USAGE };
};

function project(baseURL: string, extra = ""): string {
  const folder = tempProject("medsafety-budget-");
  writeJsonl(join(folder, "bench.jsonl"), ITEMS);
  const price = "price: { input: 0, output: 1000 }, maxTokens: 20";
  writeFileSync(
    join(folder, "medsafety.config.yaml"),
    `benchmark: ./bench.jsonl
targets:
  - { id: target, model: "openai-compatible:target-model", baseURL: "${baseURL}", retries: 0, ${price} }
judges:
  - { id: judge-a, model: "openai-compatible:grader-a", baseURL: "${baseURL}", retries: 0, ${price} }
  - { id: judge-b, model: "openai-compatible:grader-b", baseURL: "${baseURL}", retries: 0, ${price} }
store: ./store.db
concurrency: 1
cache: false
${extra}`,
  );
  return folder;
}

interface StoredRun {
  readonly status: string;
  readonly stopReason: string | null;
  readonly costUsd: number;
  readonly turns: number;
  readonly judgments: number;
}

function storedRun(folder: string, runId: string): StoredRun {
  const db = new Database(join(folder, "store.db"), { readonly: true });
  try {
    return db
      .prepare(`SELECT status, stop_reason AS stopReason,
          (SELECT COALESCE(SUM(cost_usd), 0) FROM turns WHERE run_id = @runId)
            + (SELECT COALESCE(SUM(cost_usd), 0) FROM judgments WHERE run_id = @runId) AS costUsd,
          (SELECT COUNT(*) FROM turns WHERE run_id = @runId) AS turns,
          (SELECT COUNT(*) FROM judgments WHERE run_id = @runId) AS judgments
        FROM runs WHERE id = @runId`)
      .get({ runId }) as StoredRun;
  } finally {
    db.close();
  }
}

describe("budgets: run --max-cost (e2e)", () => {
  let server: FixtureServer;

  beforeAll(async () => {
    server = await startFixtureServer({ handler });
  });

  afterAll(async () => {
    await server.close();
  });

  it("stops before the budget would be passed, records cancelled / budget, and resumes with a higher budget to a complete report", async () => {
    const folder = project(server.openaiBaseURL);
    const stopped = await runInProcess(
      ["run", "-c", "medsafety.config.yaml", "--no-progress", "--no-preflight", "--max-cost", "0.40"],
      { cwd: folder },
    );
    expect(stopped.code, stopped.stderr).toBe(130);
    const runId = printedRunId(stopped.stdout);
    expect(stopped.stdout).toContain(`run ${runId}: cancelled`);
    expect(stopped.stdout).toMatch(
      new RegExp(
        `Stopped: the budget of \\$0\\.40 would be passed; spent \\$0\\.\\d\\d\\. Resume with a higher budget: npx medsafety run --resume ${runId} --max-cost <more>`,
      ),
    );
    const first = storedRun(folder, runId);
    expect(first.status).toBe("cancelled");
    expect(first.stopReason).toBe("budget");
    // Every conversation that started ran whole (9 calls of $0.005), and the money stayed within the budget.
    expect(first.turns % 3).toBe(0);
    expect(first.judgments).toBe(first.turns * 2);
    expect(first.costUsd).toBeCloseTo((first.turns / 3) * CONVERSATION_USD, 10);
    expect(first.costUsd).toBeLessThanOrEqual(0.4);
    // It stopped early: fewer than the 10 conversations, more than the two started on the a-priori estimate.
    expect(first.turns / 3).toBeGreaterThan(2);
    expect(first.turns / 3).toBeLessThan(ITEMS.length);

    const shown = await runInProcess(["runs", "show", runId, "--json", "--store", "store.db"], { cwd: folder });
    expect(shown.code, shown.stderr).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({ status: "cancelled", stopReason: "budget", maxCostUsd: 0.4 });
    const listed = await runInProcess(["runs", "list", "--store", "store.db"], { cwd: folder });
    expect(listed.stdout).toContain("cancelled (budget)");

    // The same budget again: nothing more fits, it stops at once and calls nothing.
    const before = server.requests.length;
    const again = await runInProcess(
      ["run", "--resume", runId, "--store", "store.db", "--no-progress", "--no-preflight"],
      { cwd: folder },
    );
    expect(again.code, again.stderr).toBe(130);
    expect(again.stdout).toContain("Stopped: the budget of $0.40 would be passed");
    expect(storedRun(folder, runId).turns).toBe(first.turns);
    expect(server.requests.length).toBe(before);

    const resumed = await runInProcess(
      ["run", "--resume", runId, "--store", "store.db", "--no-progress", "--no-preflight", "--max-cost", "1"],
      { cwd: folder },
    );
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain(`run ${runId}: success`);
    const done = storedRun(folder, runId);
    expect(done).toMatchObject({ status: "success", stopReason: null, turns: 30, judgments: 60 });
    expect(done.costUsd).toBeCloseTo(ITEMS.length * CONVERSATION_USD, 10);

    const report = await runInProcess(["report", "--run", runId, "--format", "json", "--store", "store.db"], {
      cwd: folder,
    });
    expect(report.code, report.stderr).toBe(0);
    const parsed = JSON.parse(report.stdout) as {
      targets: Array<{ targetId: string; conversations: number; completeConversations: number }>;
    };
    expect(
      parsed.targets.map((target) => [target.targetId, target.conversations, target.completeConversations]),
    ).toEqual([["target", 10, 10]]);
  });

  it("takes the budget from the config's maxCost", async () => {
    const folder = project(server.openaiBaseURL, "maxCost: 0.2");
    const stopped = await runInProcess(["run", "-c", "medsafety.config.yaml", "--no-progress", "--no-preflight"], {
      cwd: folder,
    });
    expect(stopped.code, stopped.stderr).toBe(130);
    const run = storedRun(folder, printedRunId(stopped.stdout));
    expect(run).toMatchObject({ status: "cancelled", stopReason: "budget" });
    expect(run.costUsd).toBeLessThanOrEqual(0.2);
  });

  it("refuses a budget before anything starts when a hosted model has no known price, naming the binding and the fix", async () => {
    const folder = project(server.openaiBaseURL);
    writeFileSync(
      join(folder, "unpriced.yaml"),
      `benchmark: ./bench.jsonl
targets:
  - { id: mystery, model: "openai:no-such-model-in-the-table", baseURL: "${server.openaiBaseURL}", apiKeyEnv: FIXTURE_KEY }
judges:
  - { id: judge-a, model: "openai-compatible:grader-a", baseURL: "${server.openaiBaseURL}", price: { input: 0, output: 1 } }
store: ./store.db
`,
    );
    const before = server.requests.length;
    const refused = await runInProcess(
      ["run", "-c", "unpriced.yaml", "--no-progress", "--no-preflight", "--max-cost", "5"],
      { cwd: folder, env: { FIXTURE_KEY: "sk-fixture" } },
    );
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("unpriced.yaml:3");
    expect(refused.stderr).toContain('binding "mystery" (openai:no-such-model-in-the-table) has no known price');
    expect(refused.stderr).toContain("price: { input:");
    expect(server.requests.length).toBe(before);
    const runs = await runInProcess(["runs", "list", "--store", "store.db"], { cwd: folder });
    expect(runs.stdout).toContain("no runs yet");
  });
});

/**
 * `generate conversations --max-cost`: 10 seeds × 1 strategy × 1 attacker = 10 tasks; each answer has 5 output tokens
 * at $1,000 per million (input free), so a task costs $0.005; its a-priori estimate (maxTokens 20) is $0.02.
 */
describe("budgets: generation commands with --max-cost (e2e)", () => {
  let server: FixtureServer;
  const seeds = Array.from({ length: 10 }, (_, index) => ({
    id: `seed-${index}`,
    language: "en",
    guidelineId: "jma-1-01",
    request: `Please help with case ${index}`,
  }));

  beforeAll(async () => {
    server = await startFixtureServer({
      handler: (request, index) => {
        const reply = generationFixtureHandler(request, index);
        return "kind" in reply && (reply.kind === "json" || reply.kind === "text") ? { ...reply, ...USAGE } : reply;
      },
    });
  });

  afterAll(async () => {
    await server.close();
  });

  function generationProject(): string {
    const folder = tempProject("medsafety-budget-generate-");
    writeJsonl(join(folder, "seeds.jsonl"), seeds);
    writeFileSync(
      join(folder, "medsafety.config.yaml"),
      `store: ./store.db
concurrency: 1
attackers:
  - { id: atk, model: "openai-compatible:atk", baseURL: "${server.openaiBaseURL}", retries: 0, maxTokens: 20, price: { input: 0, output: 1000 } }
`,
    );
    return folder;
  }

  const generate = (folder: string, maxCost: string) =>
    runInProcess(
      [
        "generate",
        "conversations",
        "--seeds",
        "seeds.jsonl",
        "--strategies",
        "clinical-authority",
        "--attackers",
        "atk",
        "--turns",
        "3",
        "--out",
        "bench.jsonl",
        "--no-progress",
        "--max-cost",
        maxCost,
      ],
      { cwd: folder },
    );

  function generationRuns(folder: string): Array<{ status: string; stopReason: string | null; costUsd: number }> {
    const db = new Database(join(folder, "store.db"), { readonly: true });
    try {
      return db
        .prepare(`SELECT status, stop_reason AS stopReason,
            (SELECT COALESCE(SUM(cost_usd), 0) FROM generation_tasks t WHERE t.run_id = r.id) AS costUsd
          FROM generation_runs r ORDER BY created_at, id`)
        .all() as Array<{ status: string; stopReason: string | null; costUsd: number }>;
    } finally {
      db.close();
    }
  }

  it("stops before the budget would be passed, then the same command with a higher budget reuses what is stored and finishes", async () => {
    const folder = generationProject();
    const before = server.requests.length;
    const stopped = await generate(folder, "0.0325");
    expect(stopped.code, stopped.stderr).toBe(130);
    expect(stopped.stderr).toContain("Stopped: the budget of $0.0325 would be passed; spent $0.03 ");
    // 6 tasks of $0.005 fit in $0.0325 once the first one showed what a task costs; the 7th would pass it.
    expect(generationRuns(folder)).toEqual([
      { status: "cancelled", stopReason: "budget", costUsd: expect.any(Number) },
    ]);
    expect(generationRuns(folder)[0]?.costUsd).toBeCloseTo(6 * CALL_USD, 10);

    // The same budget again: the reused successes count what they cost, so nothing more starts.
    const calls = server.requests.length;
    const again = await generate(folder, "0.0325");
    expect(again.code, again.stderr).toBe(130);
    expect(server.requests.length).toBe(calls);
    expect(generationRuns(folder)[1]).toMatchObject({ status: "cancelled", stopReason: "budget", costUsd: 0 });

    const finished = await generate(folder, "1");
    expect(finished.code, finished.stderr).toBe(0);
    expect(finished.stdout).toContain("written 10 (generated 4, reused 6)");
    expect(generationRuns(folder)[2]).toMatchObject({ status: "success", stopReason: null });
    expect(generationRuns(folder)[2]?.costUsd).toBeCloseTo(4 * CALL_USD, 10);
    expect(server.requests.length - before).toBe(10);
  });
});
