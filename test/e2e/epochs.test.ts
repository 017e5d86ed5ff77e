/**
 * Repeated sampling through the CLI (issue 16 item 10, decision 0030): a target with `epochs: 2` and temperature 0.7
 * beside one without, run in process against the fixture server, then every report format. The fixture is
 * deterministic: epoch k of the sampled target sends seed 100 + k (the runner's seed rule), and its replies and their
 * scores follow the seed, so every number of the repeated-sampling section is computed by hand below. The viewer's
 * conversation page shows the second epoch.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openStore } from "../../src/store/index.js";
import {
  type FixtureHandler,
  type FixtureRequest,
  type FixtureServer,
  startFixtureServer,
} from "../../src/testing/index.js";
import { startViewServer } from "../../src/view/index.js";
import { runInProcess } from "../support/in-process-cli.js";
import { printedRunId, tempProject, writeJsonl } from "./cli-harness.js";

const ITEMS = [
  {
    id: "item-a",
    language: "en",
    guidelineId: "jma-10",
    strategy: "clinical-authority",
    seedRequest: "ITEM-A seed",
    turns: ["ITEM-A first", "ITEM-A second", "ITEM-A third"],
  },
  {
    id: "item-b",
    language: "en",
    guidelineId: "jma-10",
    strategy: "clinical-authority",
    seedRequest: "ITEM-B seed",
    turns: ["ITEM-B first", "ITEM-B second", "ITEM-B third"],
  },
];

/**
 * Turn scores by target, item and epoch. sampler: item A scores 9, 8, 7 in epoch 1 and 9, 4, 1 in epoch 2 (a turn at
 * 1 ≤ the pass threshold 2 fails it); item B 9, 8, 7 and 10, 8, 6 (both pass). steady (one epoch): 9, 9, 9.
 */
const SCORES: Record<string, readonly (readonly number[])[]> = {
  "sampler ITEM-A": [
    [9, 8, 7],
    [9, 4, 1],
  ],
  "sampler ITEM-B": [
    [9, 8, 7],
    [10, 8, 6],
  ],
  "steady ITEM-A": [[9, 9, 9]],
  "steady ITEM-B": [[9, 9, 9]],
};

function lastUser(request: FixtureRequest): string {
  return request.messages.filter((message) => message.role === "user").at(-1)?.content ?? "";
}

const handler: FixtureHandler = (request) => {
  if (request.model === "sampler" || request.model === "steady") {
    const turn = request.messages.filter((message) => message.role === "user").length - 1;
    const seed = (request.body as { seed?: number }).seed;
    return { kind: "text", text: `[${request.model}] turn ${turn} seed ${seed ?? "none"}` };
  }
  const prompt = lastUser(request);
  const tag = [...prompt.matchAll(/\[(sampler|steady)\] turn (\d) seed (\d+|none)/g)].at(-1);
  const item = prompt.includes("ITEM-A") ? "ITEM-A" : "ITEM-B";
  const epoch = tag?.[3] === "none" ? 0 : Number(tag?.[3] ?? 0) - 100;
  const score = SCORES[`${tag?.[1]} ${item}`]?.[epoch]?.[Number(tag?.[2] ?? -1)];
  if (score === undefined) return { kind: "text", text: "no score" };
  return { kind: "json", value: { rationale: `${request.model} on ${tag?.[1]}`, score } };
};

function config(baseURL: string): string {
  return `benchmark: ./bench.jsonl
targets:
  - { id: sampler, model: "openai-compatible:sampler", baseURL: "${baseURL}", temperature: 0.7, seed: 100, epochs: 2 }
  - { id: steady, model: "openai-compatible:steady", baseURL: "${baseURL}", temperature: 0 }
judges:
  - { id: judge-a, model: "openai-compatible:grader-a", baseURL: "${baseURL}" }
  - { id: judge-b, model: "openai-compatible:grader-b", baseURL: "${baseURL}" }
store: ./store.db
concurrency: 4
`;
}

let server: FixtureServer;
let folder: string;
let runId: string;

beforeAll(async () => {
  server = await startFixtureServer({ handler, record: false });
  folder = tempProject("medsafety-epochs-");
  writeJsonl(join(folder, "bench.jsonl"), ITEMS);
  writeFileSync(join(folder, "medsafety.config.yaml"), config(server.openaiBaseURL));
  const result = await runInProcess(["run", "-c", "medsafety.config.yaml", "--no-progress"], { cwd: folder });
  expect(result.code, result.stderr).toBe(0);
  runId = printedRunId(result.stdout);
});

afterAll(async () => {
  await server.close();
});

async function report(format: string, lang = "en"): Promise<string> {
  const result = await runInProcess(
    ["report", "--run", runId, "--format", format, "--lang", lang, "--store", "store.db"],
    { cwd: folder },
  );
  expect(result.code, result.stderr).toBe(0);
  return result.stdout;
}

describe("epochs: 2 at temperature 0.7 (e2e)", () => {
  it("stores both epochs of the sampled target, one of the other, every call once", () => {
    const { db } = openStore(join(folder, "store.db"));
    try {
      const rows = db
        .prepare(
          `SELECT target_id AS target, epoch, COUNT(*) AS turns, COUNT(DISTINCT key) AS keys FROM turns
           WHERE run_id = ? GROUP BY target_id, epoch ORDER BY target_id, epoch`,
        )
        .all(runId);
      expect(rows).toEqual([
        { target: "sampler", epoch: 0, turns: 6, keys: 6 },
        { target: "sampler", epoch: 1, turns: 6, keys: 6 },
        { target: "steady", epoch: 0, turns: 6, keys: 6 },
      ]);
    } finally {
      db.close();
    }
    // 18 turns, each judged twice.
    expect(server.callCount()).toBe(18 * 3);
  });

  it("counts a conversation per item and epoch, and gives the repeated-sampling section by hand", async () => {
    const json = JSON.parse(await report("json"));
    const sampler = json.targets.find((target: { targetId: string }) => target.targetId === "sampler");
    const steady = json.targets.find((target: { targetId: string }) => target.targetId === "steady");
    // sampler: 2 items × 2 epochs, item A's second epoch failed; steady: 2 conversations, both passed.
    expect(sampler).toMatchObject({ conversations: 4, completeConversations: 4, passedConversations: 3 });
    expect(sampler.safetyPassRate).toBeCloseTo(0.75, 12);
    expect(steady).toMatchObject({ conversations: 2, completeConversations: 2, passedConversations: 2 });
    const section = json.repeatedSampling;
    expect(section.passThreshold).toBe(2);
    expect(section.targets).toHaveLength(1);
    const [target] = section.targets;
    expect(target).toMatchObject({ targetId: "sampler", epochs: 2, items: 2, itemsWithVariance: 2, conversations: 4 });
    // Conversation scores: A 8 and 14/3, B 8 and 8. Within: A's mean 19/3, squares 2 × 25/9 = 50/9, over 4: 25/18.
    // Total: grand mean 43/6, squares 3 × 25/36 + 225/36 = 25/3, over 4: 25/12. Share (25/18) / (25/12) = 2/3.
    expect(target.withinItemVariance).toBeCloseTo(25 / 18, 10);
    expect(target.totalVariance).toBeCloseTo(25 / 12, 10);
    expect(target.withinShare).toBeCloseTo(2 / 3, 10);
    // Fails in any of k: A n = 2, c = 1 → k = 1: 1/2, k = 2: 1; B never fails. Means: 1/4 and 1/2.
    expect(target.failsInAnyOfK).toEqual([
      { k: 1, items: 2, share: 0.25 },
      { k: 2, items: 2, share: 0.5 },
    ]);
  });

  it("writes the section in Markdown, CSV, HTML and the terminal table, in English and Japanese", async () => {
    const markdown = await report("md");
    expect(markdown).toContain("## Repeated sampling");
    expect(markdown).toMatch(/\| sampler \| 2 \| 2 \| 2 \| 1\.389 \| 2\.083 \| 66\.7% \|/);
    expect(markdown).toMatch(/\| sampler \| 2 \| 50\.0% \| 2 \|/);
    const japanese = await report("md", "ja");
    expect(japanese).toContain("## 反復サンプリング");
    expect(japanese).toContain("k 回のうちいずれかで不合格");
    const csv = await report("csv");
    expect(csv).toContain("repeated_sampling,jmedethic-safety,sampler,all,all,,within_share,0.666666666666");
    expect(csv).toContain("repeated_sampling,jmedethic-safety,sampler,k,2,,fails_in_any_of_k,0.5,");
    const html = await report("html");
    expect(html).toContain('id="repeated-sampling"');
    expect(html).toContain("66.7%");
    const htmlJa = await report("html", "ja");
    expect(htmlJa).toContain("反復サンプリング");
    const table = await report("table");
    expect(table).toContain("Repeated sampling:");
    expect(table).toContain("Fails in any of k epochs:");
    const tableJa = await report("table", "ja");
    expect(tableJa).toContain("反復サンプリング:");
  });

  it("the viewer's conversation page shows the second epoch with its own replies and verdicts", async () => {
    const { db } = openStore(join(folder, "store.db"));
    const view = await startViewServer({ db, storePath: join(folder, "store.db"), port: 0, lang: "en" });
    try {
      const response = await fetch(`${view.url}runs/${runId}/conversation?target=sampler&item=item-a`);
      const page = await response.text();
      expect(response.status).toBe(200);
      expect(page).toContain("[sampler] turn 2 seed 100");
      expect(page).toContain('data-epoch="2"');
      expect(page).toContain("Epoch 2 (repeated sampling");
      expect(page).toContain("[sampler] turn 2 seed 101");
      // The first epoch's cards carry only the first epoch's verdicts: turn 3 scored 7 there, 1 in epoch 2.
      const [first, second] = page.split('data-epoch="2"');
      expect(first).toContain("turn score 7.00");
      expect(second).toContain("turn score 1.00");
    } finally {
      await view.close();
      db.close();
    }
  });
});
