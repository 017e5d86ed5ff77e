import { writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FixtureServer, startFixtureServer } from "../../src/testing/index.js";
import {
  type AdaptiveMarker,
  ATTACKER_MODEL,
  adaptiveItems,
  askedTurn,
  attackerSubject,
  createAdaptiveHandler,
} from "../support/adaptive-scenario.js";
import { runInProcess } from "../support/in-process-cli.js";
import { printedRunId, runCli, tempProject, writeJsonl } from "./cli-harness.js";

/** One weak target, two judges and an attacker on the fixture server; `extra` adds keys. */
function adaptiveConfig(baseURL: string, extra = "mode: adaptive\n"): string {
  return `benchmark: ./bench.jsonl
targets:
  - { id: weak, model: "openai-compatible:weak-model", baseURL: "${baseURL}", retries: 0 }
judges:
  - { id: judge-a, model: "openai-compatible:grader-a", baseURL: "${baseURL}" }
  - { id: judge-b, model: "openai-compatible:grader-b", baseURL: "${baseURL}" }
store: ./store.db
concurrency: 4
${extra}`;
}

const ATTACKER = (baseURL: string): string =>
  `attacker: { id: red, model: "openai-compatible:${ATTACKER_MODEL}", baseURL: "${baseURL}", retries: 0, temperature: 0.7 }\n`;

interface StopRow {
  itemId: string;
  status: string;
  stopReason: string;
  turns: number;
  attackerId: string | null;
}

function readStore<T>(folder: string, read: (db: Database.Database) => T): T {
  const db = new Database(join(folder, "store.db"), { readonly: true });
  try {
    return read(db);
  } finally {
    db.close();
  }
}

function stopsOf(folder: string, runId: string): StopRow[] {
  return readStore(
    folder,
    (db) =>
      db
        .prepare(`SELECT item_id AS itemId, status, stop_reason AS stopReason, turns, attacker_id AS attackerId
    FROM conversations WHERE run_id = ? ORDER BY item_id`)
        .all(runId) as StopRow[],
  );
}

function messagesOf(folder: string, runId: string): Map<string, string[]> {
  const rows = readStore(
    folder,
    (db) =>
      db
        .prepare(
          "SELECT item_id AS itemId, user_message AS message FROM turns WHERE run_id = ? ORDER BY item_id, turn_index",
        )
        .all(runId) as Array<{ itemId: string; message: string }>,
  );
  const byItem = new Map<string, string[]>();
  for (const row of rows) byItem.set(row.itemId, [...(byItem.get(row.itemId) ?? []), row.message]);
  return byItem;
}

async function waitForTurns(folder: string, count: number): Promise<void> {
  for (let attempt = 0; attempt < 400; attempt += 1) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    try {
      if (readStore(folder, (db) => db.prepare("SELECT COUNT(*) FROM turns").pluck().get() as number) >= count) return;
    } catch {
      // the store is not created yet
    }
  }
  throw new Error("the run never stored enough turns");
}

describe("medsafety run with mode: adaptive (e2e, fixture server)", () => {
  let server: FixtureServer;

  beforeAll(async () => {
    server = await startFixtureServer({ handler: createAdaptiveHandler(), latencyMs: 20 });
  });

  afterAll(async () => {
    await server.close();
  });

  function project(markers: readonly AdaptiveMarker[], config: string): string {
    const folder = tempProject("medsafety-adaptive-");
    writeJsonl(join(folder, "bench.jsonl"), adaptiveItems(markers));
    writeFileSync(join(folder, "medsafety.config.yaml"), config);
    return folder;
  }

  it("runs adaptive conversations that stop for their own reasons, records mode and attacker, and reports them", async () => {
    const url = server.openaiBaseURL;
    const folder = project(
      ["GIVEUP", "THRESHOLD", "MAXTURNS"],
      adaptiveConfig(url, `mode: adaptive\n${ATTACKER(url)}maxTurns: 4\nstopWhenScoreAtMost: 2\n`),
    );
    const result = await runInProcess(["run", "-c", "medsafety.config.yaml", "--no-progress"], { cwd: folder });
    expect(result.code, result.stderr).toBe(0);
    const runId = printedRunId(result.stdout);
    expect(result.stdout).toContain(`run ${runId}: success`);

    expect(stopsOf(folder, runId)).toEqual([
      { itemId: "giveup-0", status: "stopped", stopReason: "attacker-gave-up", turns: 1, attackerId: "red" },
      { itemId: "maxturns-2", status: "stopped", stopReason: "max-turns", turns: 4, attackerId: "red" },
      { itemId: "threshold-1", status: "stopped", stopReason: "score-threshold", turns: 1, attackerId: "red" },
    ]);
    const messages = messagesOf(folder, runId);
    expect(messages.get("giveup-0")).toEqual(["GIVEUP-0 opening"]);
    expect(messages.get("threshold-1")).toEqual(["THRESHOLD-1 opening"]);
    expect(
      messages
        .get("maxturns-2")
        ?.slice(1)
        .map((message) => message.replace(/ #\d+$/, "")),
    ).toEqual(["ATTACK MAXTURNS-2 turn 2", "ATTACK MAXTURNS-2 turn 3", "ATTACK MAXTURNS-2 turn 4"]);

    const shown = await runInProcess(["runs", "show", runId, "--json", "--store", "store.db"], { cwd: folder });
    expect(shown.code, shown.stderr).toBe(0);
    expect(JSON.parse(shown.stdout)).toMatchObject({
      mode: "adaptive",
      attacker: "red",
      stops: {
        byReason: { "attacker-gave-up": 1, "max-turns": 1, "score-threshold": 1 },
        attackerCalls: 4,
        attackerInputTokens: 40,
        attackerOutputTokens: 20,
      },
    });
    const frozen = readStore(folder, (db) =>
      JSON.parse(db.prepare("SELECT config_json FROM runs WHERE id = ?").pluck().get(runId) as string),
    );
    expect(frozen).toMatchObject({ mode: "adaptive", attacker: { id: "red" }, maxTurns: 4, stopWhenScoreAtMost: 2 });

    const report = await runInProcess(["report", "--run", runId, "--format", "json", "--store", "store.db"], {
      cwd: folder,
    });
    expect(report.code, report.stderr).toBe(0);
    const [weak] = JSON.parse(report.stdout).targets;
    expect(weak.conversations).toBe(3);
    expect(weak.turns).toHaveLength(4);
    // Turn 0: all three scored (threshold-1 at 1, the others at 8.5); later turns only maxturns-2, the rest not reached.
    expect(weak.turns[0]).toMatchObject({ turn: 1, scored: 3, notReached: 0, median: 8.5 });
    expect(weak.turns[0].mean).toBeCloseTo((8.5 + 1 + 8.5) / 3, 12);
    for (const turn of [1, 2, 3])
      expect(weak.turns[turn]).toMatchObject({ turn: turn + 1, scored: 1, mean: 8.5, notReached: 2, errors: 0 });
    // Safety Pass Rate: the successful attack (threshold-1, failed at turn 0, stopped) is decided as a failure; the
    // attacker that gave up after a passing turn leaves giveup-0 undecided; maxturns-2 passed all 4 turns.
    expect(weak).toMatchObject({ completeConversations: 2, passedConversations: 1, safetyPassRate: 0.5 });
    const all = JSON.parse(report.stdout).multiTurn.groups.find(
      (group: { targetId: string; dimension: string }) => group.targetId === "weak" && group.dimension === "all",
    );
    expect(all.safetyPassRate).toMatchObject({ n: 2, count: 1, rate: 0.5 });
    const markdown = await runInProcess(["report", "--run", runId, "--format", "md", "--store", "store.db"], {
      cwd: folder,
    });
    expect(markdown.code, markdown.stderr).toBe(0);
  });

  it("mode: adaptive without an attacker exits 2 naming the config line", async () => {
    const folder = project(["MAXTURNS"], adaptiveConfig(server.openaiBaseURL));
    const result = await runInProcess(["run", "-c", "medsafety.config.yaml", "--no-progress"], { cwd: folder });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('medsafety.config.yaml:9 (field "mode"): mode: adaptive needs an attacker model');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("an adaptive run killed with SIGKILL resumes from its stored turns: stored attacker turns are reused, not regenerated", async () => {
    const url = server.openaiBaseURL;
    const markers: AdaptiveMarker[] = Array.from({ length: 16 }, () => "MAXTURNS");
    const folder = project(markers, adaptiveConfig(url, `mode: adaptive\n${ATTACKER(url)}`));
    const killed = await runCli(["run", "-c", "medsafety.config.yaml", "--no-progress"], {
      cwd: folder,
      onSpawn: (child) => {
        void waitForTurns(folder, 20).then(() => child.kill("SIGKILL"));
      },
    });
    expect(killed.signal).toBe("SIGKILL");
    const runId = printedRunId(killed.stdout);
    const before = messagesOf(folder, runId);
    const storedTurns = [...before.values()].reduce((sum, list) => sum + list.length, 0);
    expect(storedTurns).toBeGreaterThanOrEqual(20);
    expect(storedTurns).toBeLessThan(16 * 3);
    expect([...before.values()].some((list) => list.length > 1)).toBe(true);
    const requestsBefore = server.requests.length;

    const resumed = await runInProcess(
      ["run", "--resume", "latest", "--store", "store.db", "--no-progress", "--no-cache"],
      {
        cwd: folder,
      },
    );
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toContain(`run ${runId}: success`);

    const after = messagesOf(folder, runId);
    for (const [itemId, list] of before) expect(after.get(itemId)?.slice(0, list.length), itemId).toEqual(list);
    for (const request of server.requests.slice(requestsBefore).filter((entry) => entry.model === ATTACKER_MODEL)) {
      const subject = attackerSubject(request) ?? "";
      const itemId = `maxturns-${subject.split("-")[1] ?? ""}`;
      // The attacker is asked only for turns the store did not hold (turn numbers are 1-based in its prompt).
      expect((askedTurn(request) ?? 0) - 1, itemId).toBeGreaterThanOrEqual(before.get(itemId)?.length ?? 0);
    }
    const counts = readStore(folder, (db) =>
      db
        .prepare(`SELECT
        (SELECT COUNT(*) FROM turns WHERE run_id = @runId) AS turns,
        (SELECT COUNT(DISTINCT key) FROM turns WHERE run_id = @runId) AS distinctTurns,
        (SELECT COUNT(DISTINCT key) FROM judgments WHERE run_id = @runId) AS judgments`)
        .get({ runId }),
    );
    expect(counts).toEqual({ turns: 48, distinctTurns: 48, judgments: 96 });
    expect(stopsOf(folder, runId).map((stop) => stop.stopReason)).toEqual(
      Array.from({ length: 16 }, () => "max-turns"),
    );
    const report = await runInProcess(["report", "--run", runId, "--format", "json", "--store", "store.db"], {
      cwd: folder,
    });
    expect(report.code, report.stderr).toBe(0);
    expect(JSON.parse(report.stdout).targets[0].turns.map((turn: { scored: number }) => turn.scored)).toEqual([
      16, 16, 16,
    ]);
  });
});
