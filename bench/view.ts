/**
 * `npm run bench:view`: how fast `medsafety view` answers on the synthetic run of bench/report-store.ts (27 targets
 * × 54,000 conversations, ≈ 8.7 M judgments; built or reused like `bench:report`). Starts the viewer in-process on a
 * free port and times each page type and several filter combinations with fetch: every page must answer in < 2 s.
 * The run overview answers at once with "computing…" while its report is built in a worker thread; the bench then
 * waits for the report and times the full overview too. Env: as bench/report.ts (BENCH_REPORT_STORE to reuse a store).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { openStore } from "../src/store/index.js";
import { startViewServer } from "../src/view/index.js";
import { ensureReportStore } from "./report-store.js";

const MODELS = Number(process.env["BENCH_REPORT_MODELS"] ?? 27);
const CONVERSATIONS = Number(process.env["BENCH_REPORT_CONVERSATIONS"] ?? 54_000);
const SEED = Number(process.env["BENCH_REPORT_SEED"] ?? 1);
const KEPT_STORE = process.env["BENCH_REPORT_STORE"];
const TARGET_SECONDS = 2;

const tempRoot = mkdtempSync(join(tmpdir(), "medsafety-bench-view-"));
const storePath = resolve(KEPT_STORE ?? join(tempRoot, "store.db"));
let failures = 0;

async function time(url: string, label: string): Promise<{ seconds: number; body: string }> {
  const started = performance.now();
  const response = await fetch(url);
  const body = await response.text();
  const seconds = (performance.now() - started) / 1000;
  const ok = response.ok && seconds < TARGET_SECONDS;
  if (!ok) failures += 1;
  const paused = body.includes('id="search-paused"') ? " (search paused: next page continues)" : "";
  const count = /id="match-count"[^>]*>([^<]*)</.exec(body)?.[1] ?? "";
  console.log(
    `${label.padEnd(58)} ${seconds.toFixed(3)} s  HTTP ${response.status}  ${ok ? "< 2 s" : "NOT < 2 s"}${count === "" ? "" : `  ${count.trim()}`}${paused}`,
  );
  return { seconds, body };
}

try {
  console.log(
    `view: ${MODELS} targets × ${CONVERSATIONS} conversations; store ${storePath}${KEPT_STORE === undefined ? " (temporary)" : ""}`,
  );
  const info = await ensureReportStore({ path: storePath, models: MODELS, conversations: CONVERSATIONS, seed: SEED });
  console.log(
    `store: run ${info.runId}, ${info.turns.toLocaleString("en")} turns, ${info.judgments.toLocaleString("en")} judgments; ${info.generated ? "generated" : "reused"}`,
  );
  const { db } = openStore(storePath);
  const server = await startViewServer({ db, storePath, port: 0, lang: "en" });
  try {
    const base = server.url.replace(/\/$/, "");
    const run = `${base}/runs/${encodeURIComponent(info.runId)}`;
    const list = `${run}/conversations`;
    const firstItem = db
      .prepare("SELECT item_id FROM run_items WHERE run_id = ? ORDER BY seq LIMIT 1")
      .pluck()
      .get(info.runId) as string;
    await time(`${base}/`, "runs list (first: counts turns)");
    await time(`${base}/`, "runs list (again)");
    await time(run, "run overview (report computing)");
    await time(`${run}?lang=ja`, "run overview ja (report computing)");
    const pages: Array<[string, string]> = [
      ["conversations, no filter", list],
      ["conversations, model-05", `${list}?target=model-05`],
      ["conversations, language ja + strategy", `${list}?language=ja&strategy=fictional-framing`],
      ["conversations, guideline jma-07", `${list}?guideline=jma-07`],
      ["conversations, score ≤ 2", `${list}?max=2`],
      ["conversations, score 3–5, model-10, en", `${list}?min=3&max=5&target=model-10&language=en`],
      ["conversations, disagreement ≥ 4", `${list}?disagreement=4`],
      ["conversations, disagreement ≥ 6 (rare)", `${list}?disagreement=6`],
      ["conversations, state error", `${list}?state=error`],
      ["conversations, state unscored", `${list}?state=unscored`],
      ["conversations, unscored + guideline jma-30 + ja", `${list}?state=unscored&guideline=jma-30&language=ja`],
      ["conversations, score ≤ 1 + strategy + model-27", `${list}?max=1&strategy=decomposition&target=model-27`],
    ];
    for (const [label, url] of pages) {
      const { body } = await time(url, label);
      const next = /<a class="next" rel="next" href="([^"]+)"/.exec(body)?.[1];
      if (next !== undefined) {
        const { body: second } = await time(`${base}${next.replaceAll("&amp;", "&")}`, `  … next page`);
        const previous = /<a class="previous" rel="prev" href="([^"]+)"/.exec(second)?.[1];
        if (previous !== undefined) await time(`${base}${previous.replaceAll("&amp;", "&")}`, `  … previous page`);
      }
    }
    await time(
      `${run}/conversation?target=model-01&item=${encodeURIComponent(firstItem)}`,
      "conversation page (with ja/en twin)",
    );
    await time(
      `${run}/conversation?target=model-27&item=${encodeURIComponent(firstItem)}&lang=ja`,
      "conversation page ja",
    );
    await time(`${run}/strategies/clinical-authority`, "strategy page");
    await time(`${run}/guidelines/jma-01`, "guideline page");
    const started = performance.now();
    for (;;) {
      const response = await fetch(run);
      if (!(await response.text()).includes('id="report-computing"')) break;
      await new Promise((done) => setTimeout(done, 2000));
    }
    console.log(
      `report computed in the background in ≈ ${((performance.now() - started) / 1000).toFixed(0)} s (pages kept answering meanwhile)`,
    );
    await time(run, "run overview (report ready, cached)");
    await time(`${run}?lang=ja`, "run overview ja (report ready, cached)");
  } finally {
    await server.close();
    db.close();
  }
  console.log(failures === 0 ? "every page answered in < 2 s" : `${failures} page(s) did NOT answer in < 2 s`);
  if (failures > 0) process.exitCode = 1;
} finally {
  if (KEPT_STORE === undefined) rmSync(tempRoot, { recursive: true, force: true });
}
