import { describe, expect, it } from "vitest";
import { type Db, ItemRepository, openStore, RunRepository } from "../../store/index.js";
import { createViewApp } from "../server.js";
import { ViewState } from "../view-state.js";

const RUN = "run-1";

/** One multi-turn item (2 turns, 0–10 safety) and one MedSafetyBench request (1 turn, 1–5 harm) for target t. */
function store(): Db {
  const { db } = openStore(":memory:");
  new RunRepository(db).create({
    id: RUN,
    config: { targets: [{ id: "t" }], judges: [{ id: "j1" }] },
    configHash: "h",
    datasetSource: "test",
    datasetHash: "d",
    itemCount: 2,
    packageVersion: "0",
    rubrics: [
      { id: "jmedethic-safety", version: "1", hash: "x", scale: { min: 0, max: 10, higherIsSafer: true } },
      { id: "medsafetybench-harm", version: "1", hash: "y", scale: { min: 1, max: 5, higherIsSafer: false } },
    ],
  });
  new ItemRepository(db).addBatch(RUN, 0, [
    {
      id: "mt-1",
      version: "v1",
      language: "en",
      pairId: undefined,
      guidelineId: "jma-01",
      strategy: "decomposition",
      turnCount: 2,
      json: "{}",
    },
    {
      id: "msb-1",
      version: "v2",
      language: "en",
      pairId: undefined,
      guidelineId: "ama-1",
      strategy: "direct",
      turnCount: 1,
      json: "{}",
    },
  ]);
  const turn =
    db.prepare(`INSERT INTO turns (key, run_id, item_id, target_id, turn_index, epoch, status, user_message, response_text, input_tokens, output_tokens, latency_ms, cached, attempts, created_at)
    VALUES (?, ?, ?, 't', ?, 0, 'success', 'u', 'r', 1, 1, 1, 0, 1, 'now')`);
  const judgment =
    db.prepare(`INSERT INTO judgments (key, turn_key, run_id, item_id, target_id, turn_index, judge_id, status, score, rubric_id, rubric_version, input_tokens, output_tokens, latency_ms, cached, attempts, created_at)
    VALUES (?, ?, ?, ?, 't', ?, 'j1', 'scored', ?, ?, '1', 1, 1, 1, 0, 1, 'now')`);
  for (const [item, turnIndex, score, rubric] of [
    ["mt-1", 0, 8, "jmedethic-safety"],
    ["mt-1", 1, 3, "jmedethic-safety"],
    ["msb-1", 0, 4, "medsafetybench-harm"],
  ] as const) {
    turn.run(`${item}/${turnIndex}`, RUN, item, turnIndex);
    judgment.run(`${item}/${turnIndex}/j1`, `${item}/${turnIndex}`, RUN, item, turnIndex, score, rubric);
  }
  return db;
}

async function page(item: string, adjust: (db: Db) => void = () => {}, lang: "en" | "ja" = "en"): Promise<string> {
  const db = store();
  adjust(db);
  const app = createViewApp(new ViewState(db, ":memory:", "token"), {
    host: "127.0.0.1",
    port: () => 7788,
    lang: "en",
  });
  const response = await app.request(`/runs/${RUN}/conversation?target=t&item=${item}&lang=${lang}`, {
    headers: { host: "127.0.0.1:7788" },
  });
  expect(response.status).toBe(200);
  return response.text();
}

/** Migration 10's cost columns as the runner fills them: turn 1 and its verdict priced, turn 2 stored unpriced. */
function priced(db: Db): void {
  db.prepare(
    "UPDATE turns SET cost_usd = 0.0125, cached_input_tokens = 7, cache_write_tokens = 3 WHERE key = 'mt-1/0'",
  ).run();
  db.prepare(
    "UPDATE judgments SET cost_usd = 0.00042, batched = 1, cached_input_tokens = 1 WHERE key = 'mt-1/0/j1'",
  ).run();
}

describe("conversation page", () => {
  it("shows each turn's and judgment's cost and cached tokens; an unpriced call says so, never $0", async () => {
    const html = await page("mt-1", priced);
    const cards = html.split('<div class="turn-card"').slice(1);
    expect(cards[0]).toContain(
      '<p class="muted call-cost">Cost $0.0125 · tokens in 1 (cached 7, cache write 3) / out 1</p>',
    );
    expect(cards[0]).toContain(
      '<td class="call-cost muted">$0.00042 · in 1 (cached 1, cache write 0) · out 1 · batched</td>',
    );
    expect(cards[1]).toContain(
      '<p class="muted call-cost">Cost unpriced · tokens in 1 (cached 0, cache write 0) / out 1</p>',
    );
    expect(html).not.toContain("$0 ");
    const ja = await page("mt-1", priced, "ja");
    expect(ja).toContain("費用 $0.0125・トークン 入力 1（キャッシュ 7、キャッシュ書き込み 3）/ 出力 1");
    expect(ja).toContain("費用 価格なし・トークン");
    expect(ja).toContain("$0.00042・入力 1（キャッシュ 1、書き込み 0）・出力 1 · バッチ</td>");
  });

  it("numbers turns from 1 in headings, anchors and the review form's turn field", async () => {
    const html = await page("mt-1");
    expect(
      [...html.matchAll(/<div class="turn-card" id="turn-(\d)-mt-1" data-turn="(\d)">\s*<h3>Turn (\d)/g)].map((match) =>
        match.slice(1),
      ),
    ).toEqual([
      ["1", "1", "1"],
      ["2", "2", "2"],
    ]);
    expect([...html.matchAll(/name="turn" value="(\d)"/g)].map((match) => match[1])).toEqual(["1", "2"]);
  });

  it("the review form's score field follows the turn's rubric scale (0–10 safety, 1–5 harm)", async () => {
    expect(await page("mt-1")).toMatch(/<input name="score" type="number" min="0" max="10"/);
    const harm = await page("msb-1");
    expect(harm).toMatch(/<input name="score" type="number" min="1" max="5"/);
    expect(harm).toContain("Score (1–5)");
  });
});
