/**
 * Precision-driven sampling through the CLI (issue 15, item 6; decision 0022): `run --precision` on a synthetic
 * benchmark of 400 conversations whose judges give a known pass rate stops before the end with the stated half-width
 * at most the precision; the report states the design; `run --resume <id> --precision <smaller>` continues the same
 * sample (the first run's conversations are a prefix of the same draw order).
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { samplingSeedOf } from "../../src/analysis/index.js";
import { type RunItem, samplingOrder } from "../../src/runner/index.js";
import {
  type FixtureHandler,
  type FixtureRequest,
  type FixtureServer,
  startFixtureServer,
} from "../../src/testing/index.js";
import { runInProcess } from "../support/in-process-cli.js";
import { printedRunId, tempProject, writeJsonl } from "./cli-harness.js";

const GUIDELINES = ["jma-01", "jma-03", "jma-10"];
const STRATEGIES = ["clinical-authority", "fictional-framing"];
const LANGUAGES = ["en", "ja"] as const;
/** 400 one-turn conversations; item i fails (the judges score it 1) when i % 5 === 0: a pass rate of exactly 0.8. */
const ITEMS = Array.from({ length: 400 }, (_, index) => ({
  id: `prec-${String(index).padStart(3, "0")}`,
  language: LANGUAGES[index % 2] as (typeof LANGUAGES)[number],
  guidelineId: GUIDELINES[index % 3] as string,
  strategy: STRATEGIES[Math.floor(index / 6) % 2] as string,
  seedRequest: `seed ${index}`,
  turns: [`MARK-${index} please help`],
}));
const TRUE_RATE = 0.8;

function lastUser(request: FixtureRequest): string {
  return request.messages.filter((message) => message.role === "user").at(-1)?.content ?? "";
}

/** The target echoes the item's mark; the judges read the mark of the judged reply and pass or fail it. */
const handler: FixtureHandler = (request) => {
  if (request.model === "target-model") {
    const mark = /MARK-(\d+)/.exec(lastUser(request))?.[1] ?? "?";
    return { kind: "text", text: `[reply] MARK-${mark}`, inputTokens: 10, outputTokens: 5 };
  }
  const marks = [...lastUser(request).matchAll(/\[reply\] MARK-(\d+)/g)];
  const index = Number(marks.at(-1)?.[1] ?? Number.NaN);
  if (Number.isNaN(index)) return { kind: "text", text: "no mark", inputTokens: 10, outputTokens: 5 };
  const score = index % 5 === 0 ? 1 : 9;
  return { kind: "json", value: { rationale: `mark ${index}`, score }, inputTokens: 10, outputTokens: 5 };
};

let server: FixtureServer;

beforeAll(async () => {
  server = await startFixtureServer({ handler, record: false });
});

afterAll(async () => {
  await server.close();
});

function project(): string {
  const folder = tempProject("medsafety-precision-");
  writeJsonl(join(folder, "bench.jsonl"), ITEMS);
  const model = (id: string, name: string): string =>
    `{ id: ${id}, model: "openai-compatible:${name}", baseURL: "${server.openaiBaseURL}", retries: 0 }`;
  writeFileSync(
    join(folder, "medsafety.config.yaml"),
    `benchmark: ./bench.jsonl
targets: [${model("target", "target-model")}]
judges: [${model("judge-a", "grader-a")}, ${model("judge-b", "grader-b")}]
store: ./store.db
concurrency: 4
minSample: 50
`,
  );
  return folder;
}

/** The items that have a stored turn in the run. */
function itemsRun(folder: string, runId: string): Set<string> {
  const db = new Database(join(folder, "store.db"), { readonly: true });
  try {
    const rows = db.prepare("SELECT DISTINCT item_id AS id FROM turns WHERE run_id = ?").all(runId) as { id: string }[];
    return new Set(rows.map((row) => row.id));
  } finally {
    db.close();
  }
}

function runStatus(folder: string, runId: string): string {
  const db = new Database(join(folder, "store.db"), { readonly: true });
  try {
    return (db.prepare("SELECT status FROM runs WHERE id = ?").get(runId) as { status: string }).status;
  } finally {
    db.close();
  }
}

/** `precision: target: n / N conversations …, half-width h; …` from the end-of-run output. */
function precisionLine(stdout: string): { used: number; population: number; halfWidth: number; line: string } {
  const line = stdout.split("\n").find((text) => text.startsWith("precision: target:")) ?? "";
  const match = /: (\d+) \/ (\d+) conversations.*half-width ([0-9.]+)/.exec(line);
  return { used: Number(match?.[1]), population: Number(match?.[2]), halfWidth: Number(match?.[3]), line };
}

/** The draw order the run used: the stored items in the seeded stratified order of the run id's seed. */
function drawOrder(runId: string): string[] {
  const items: RunItem[] = ITEMS.map((item) => ({
    item: { ...item, metadata: {} },
    version: "",
  }));
  return samplingOrder(items, samplingSeedOf(runId)).map(({ item }) => item.id);
}

describe("run --precision (e2e)", () => {
  let folder: string;
  let runId: string;
  let first: ReturnType<typeof precisionLine>;

  beforeAll(async () => {
    folder = project();
    const result = await runInProcess(["run", "-c", "medsafety.config.yaml", "--no-progress", "--precision", "0.12"], {
      cwd: folder,
    });
    expect(result.code, result.stderr).toBe(0);
    runId = printedRunId(result.stdout);
    first = precisionLine(result.stdout);
  });

  it("stops before the end with the stated half-width at most the precision, and the run ends success", () => {
    expect(first.line).toContain("stopped by precision");
    expect(first.population).toBe(400);
    expect(first.used).toBeGreaterThanOrEqual(50);
    expect(first.used).toBeLessThan(400);
    expect(first.halfWidth).toBeLessThanOrEqual(0.12);
    expect(runStatus(folder, runId)).toBe("success");
    expect(itemsRun(folder, runId).size).toBe(first.used);
  });

  it("ran a prefix of the seeded stratified draw order", () => {
    const order = drawOrder(runId);
    expect(itemsRun(folder, runId)).toEqual(new Set(order.slice(0, first.used)));
  });

  it("the report states the design: strata, weights, the stratified estimate and the interval", async () => {
    const json = await runInProcess(["report", "--run", runId, "--format", "json", "--store", "store.db"], {
      cwd: folder,
    });
    expect(json.code, json.stderr).toBe(0);
    const report = JSON.parse(json.stdout) as {
      samplingDesign?: {
        targets: {
          targetId: string;
          precision: number;
          population: number;
          used: number;
          strata: { stratum: string; population: number; used: number; weight: number }[];
          stratifiedEstimate: number | null;
          low: number;
          high: number;
          halfWidth: number;
          met: boolean;
        }[];
      };
    };
    const design = report.samplingDesign?.targets[0];
    expect(design).toMatchObject({ targetId: "target", precision: 0.12, population: 400, used: first.used, met: true });
    expect(design?.strata).toHaveLength(GUIDELINES.length * STRATEGIES.length * LANGUAGES.length);
    expect(design?.strata.reduce((sum, stratum) => sum + stratum.used, 0)).toBe(first.used);
    expect(design?.strata.reduce((sum, stratum) => sum + stratum.weight, 0)).toBeCloseTo(1, 12);
    expect(design?.halfWidth).toBeLessThanOrEqual(0.12);
    expect(design?.low).toBeLessThanOrEqual(TRUE_RATE);
    expect(design?.high).toBeGreaterThanOrEqual(TRUE_RATE);
    expect(design?.stratifiedEstimate).toBeGreaterThan(0.6);
    const stratum = "jma-01 × clinical-authority × en";
    const formatted = async (format: string, lang = "en"): Promise<string> => {
      const result = await runInProcess(
        ["report", "--run", runId, "--format", format, "--lang", lang, "--store", "store.db"],
        { cwd: folder },
      );
      expect(result.code, result.stderr).toBe(0);
      return result.stdout;
    };
    const markdown = await formatted("md");
    expect(markdown).toContain("## Sampling design");
    expect(markdown).toContain(`| ${stratum} | `);
    expect(markdown).toContain(`${first.used} / 400`);
    expect(await formatted("md", "ja")).toContain("## 標本設計");
    const csv = await formatted("csv");
    expect(csv).toContain(`sampling,jmedethic-safety,target,all,all,,used,${first.used},`);
    expect(csv).toContain(`sampling,jmedethic-safety,target,stratum,${stratum},,weight,`);
    const terminal = await formatted("table");
    expect(terminal).toContain("Sampling design:");
    expect(terminal).toContain(stratum);
    const html = await formatted("html");
    expect(html).toContain('id="sampling-design"');
    expect(html).toContain(stratum);
  });

  it("a report of a run without precision shows no sampling design", async () => {
    const plain = project();
    writeJsonl(join(plain, "bench.jsonl"), ITEMS.slice(0, 12));
    const run = await runInProcess(["run", "-c", "medsafety.config.yaml", "--no-progress"], { cwd: plain });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).not.toContain("precision:");
    const plainRunId = printedRunId(run.stdout);
    const json = await runInProcess(["report", "--run", plainRunId, "--format", "json", "--store", "store.db"], {
      cwd: plain,
    });
    expect(JSON.parse(json.stdout)).not.toHaveProperty("samplingDesign");
    const markdown = await runInProcess(["report", "--run", plainRunId, "--format", "md", "--store", "store.db"], {
      cwd: plain,
    });
    expect(markdown.stdout).not.toContain("Sampling design");
    expect(itemsRun(plain, plainRunId).size).toBe(12);
  });

  it("run --resume <id> --precision <smaller> continues the same sample", async () => {
    const resumed = await runInProcess(
      ["run", "--resume", runId, "--store", "store.db", "--no-progress", "--precision", "0.08"],
      { cwd: folder },
    );
    expect(resumed.code, resumed.stderr).toBe(0);
    const second = precisionLine(resumed.stdout);
    expect(second.used).toBeGreaterThan(first.used);
    expect(second.halfWidth).toBeLessThanOrEqual(0.08);
    expect(second.halfWidth).toBeLessThan(first.halfWidth);
    const order = drawOrder(runId);
    const run = itemsRun(folder, runId);
    expect(run).toEqual(new Set(order.slice(0, second.used)));
    // The first run's conversations are a prefix of the continued sample.
    for (const id of order.slice(0, first.used)) expect(run.has(id)).toBe(true);
  });
});
