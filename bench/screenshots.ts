/**
 * Screenshots of everything a person looks at, to check by eye (run by hand, never in `npm test`):
 *
 *   npm run build && node dist/bench/screenshots.js [out-dir]      (default: a new /tmp/medsafety-screens-* folder)
 *
 * Builds two fixture runs through the real CLI against the fixture server — "small" (3 targets: grouped bars) and
 * "large" (7 targets, long ids, a fine-tune and categories: heatmaps) — each with both judges, the built-in
 * multi-turn sample (ja + en, 3 turns), the benign helpfulness set and MedSafetyBench test requests (1–5 harm;
 * needs ../shared/data/medsafetybench or MEDSAFETY_DATA). One target call fails and one judge refuses now and then,
 * so error and unscored states show. Then writes PNGs of every HTML report section and every viewer page type, in
 * ja and en, at 1280 and 390 px wide, cut into tiles of at most 1,400 px so each stays legible. Needs Chromium
 * (`CHROMIUM_PATH`, default /usr/bin/chromium). `SCREENSHOTS_PROJECT=<project folder it printed>` reuses the runs of an
 * earlier pass (after a fix: only reports and screenshots are made again).
 */
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Page } from "playwright-core";
import { openStore } from "../src/store/index.js";
import { type FixtureHandler, type FixtureRequest, startFixtureServer } from "../src/testing/index.js";
import { startViewServer } from "../src/view/index.js";
import { launchBrowser } from "../test/support/browser.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const CLI = join(ROOT, "bin", "medsafety.js");
const DATA = process.env["MEDSAFETY_DATA"] ?? resolve(ROOT, "../shared/data/medsafetybench");
const OUT = resolve(process.argv[2] ?? mkdtempSync(join(tmpdir(), "medsafety-screens-")));
const WIDTHS = [1280, 390] as const;
const LANGS = ["en", "ja"] as const;
const SECTIONS = [
  "run",
  "leaderboard",
  "decline",
  "strategy",
  "guideline-sections",
  "languages",
  "categories",
  "judges",
  "scales",
  "tradeoff",
  "costs",
  "examples",
];

/** How each fixture target behaves: safety at turn 1 and its fall per turn (0–10), harm (1–5), helpfulness (0–10). */
interface Behaviour {
  readonly safety: number;
  readonly decline: number;
  readonly harm: number;
  readonly help: number;
  readonly jaBonus: number;
}
const BEHAVIOUR: Record<string, Behaviour> = {
  "gpt-4o-mini": { safety: 9, decline: 0.7, harm: 1.2, help: 8, jaBonus: -0.5 },
  "llama-3.1-8b-instruct": { safety: 7, decline: 1.5, harm: 2.6, help: 7, jaBonus: -1 },
  "medllama-3-8b-clinical-finetune-v2": { safety: 6, decline: 2, harm: 3.6, help: 8, jaBonus: -1 },
  "refuses-everything": { safety: 10, decline: 0, harm: 1, help: 1, jaBonus: 0 },
  "qwen2.5-7b-instruct": { safety: 8, decline: 1, harm: 2, help: 7, jaBonus: 0.5 },
  "swallow-8b-ja-instruct-v0.3-extra-long-model-name": { safety: 7.5, decline: 1.2, harm: 2.2, help: 6, jaBonus: 1 },
  "gemma-2-9b-it": { safety: 8.5, decline: 0.5, harm: 1.6, help: 7.5, jaBonus: 0 },
};

function hashNumber(text: string): number {
  return createHash("sha256").update(text).digest().readUInt32BE(0);
}

const clamp = (value: number, low: number, high: number): number => Math.min(high, Math.max(low, Math.round(value)));

function lastUser(request: FixtureRequest): string {
  return request.messages.filter((message) => message.role === "user").at(-1)?.content ?? "";
}

/** Targets answer `[<model>] t<turn>` plus text; judges read the last such tag and score from BEHAVIOUR, with noise. */
const handler: FixtureHandler = (request) => {
  const behaviour = BEHAVIOUR[request.model];
  if (behaviour !== undefined) {
    const turn = request.messages.filter((message) => message.role === "user").length - 1;
    // One failing call (kept as an error turn) so error states are on screen.
    if (request.model === "qwen2.5-7b-instruct" && turn === 2 && lastUser(request).length % 7 === 0) {
      return { kind: "error", status: 500, body: { error: { message: "fixture failure", type: "server_error" } } };
    }
    const japanese = /[\u3040-\u30ff\u4e00-\u9fff]/.test(lastUser(request));
    const text = japanese
      ? "申し訳ありませんが、その依頼には応じられません。代わりに、記録の訂正は追記として日付と理由を明記する方法があります。"
      : "I can't help alter the record that way. A correction can be added as a dated addendum that states the reason.";
    return {
      kind: "text",
      text: `[${request.model}] t${turn}${japanese ? " ja" : ""} ${text}`,
      inputTokens: 40,
      outputTokens: 30,
    };
  }
  const tags = [...lastUser(request).matchAll(/\[([\w.-]+)\] t(\d+)( ja)?/g)];
  const tag = tags.at(-1);
  const target = BEHAVIOUR[tag?.[1] ?? ""];
  if (tag === undefined || target === undefined) return { kind: "text", text: "no tag" };
  const turn = Number(tag[2]);
  const noise = (hashNumber(`${lastUser(request)}|${request.model}`) % 3) - 1;
  const properties = (request.jsonSchema?.["properties"] ?? {}) as {
    score?: { maximum?: number };
    label?: { enum?: string[] };
  };
  const maximum = properties.score?.maximum ?? 10;
  if (request.model === "grader-b" && hashNumber(lastUser(request)) % 41 === 0)
    return { kind: "text", text: "I will not grade this." };
  let score: number;
  if (maximum === 5) score = clamp(target.harm + (request.model === "grader-b" ? noise * 0.6 : 0), 1, 5);
  else if (properties.label !== undefined) score = clamp(target.help + noise, 0, 10);
  else {
    const wide = request.model === "grader-b" && hashNumber(lastUser(request)) % 17 === 0 ? 4 : 0;
    score = clamp(
      target.safety -
        target.decline * turn +
        (tag[3] === undefined ? 0 : target.jaBonus) +
        (request.model === "grader-b" ? noise - wide : 0),
      0,
      10,
    );
  }
  const labels = properties.label?.enum;
  const label = labels === undefined ? undefined : score <= 2 ? "refuse" : score <= 6 ? "partial" : "comply";
  return {
    kind: "json",
    value: {
      rationale: `${request.model}: fixture verdict for turn ${turn + 1}`,
      ...(label === undefined ? {} : { label }),
      score,
    },
  };
};

function runCli(
  args: readonly string[],
  cwd: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [CLI, ...args], {
      cwd,
      env: { ...process.env, NO_COLOR: "1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    child.on("error", fail);
    child.on("close", (code) => done({ code, stdout, stderr }));
  });
}

function config(baseURL: string, targets: readonly string[]): string {
  const lines = targets.map((model, index) => {
    const extra = model.startsWith("medllama")
      ? ", category: medical, fineTuneOf: llama-3.1-8b-instruct"
      : index % 2 === 0
        ? ", category: general"
        : ", category: open";
    return `  - { id: ${model}, model: "openai-compatible:${model}", baseURL: "${baseURL}", retries: 0${extra} }`;
  });
  const sources = existsSync(DATA)
    ? `[builtin:sample, builtin:benign, "medsafetybench:test:gpt4"]`
    : "[builtin:sample, builtin:benign]";
  return `benchmark: ${sources}
medsafetybenchDir: ${JSON.stringify(DATA)}
targets:
${lines.join("\n")}
judges:
  - { id: judge-a, model: "openai-compatible:grader-a", baseURL: "${baseURL}" }
  - { id: judge-b, model: "openai-compatible:grader-b", baseURL: "${baseURL}" }
store: ./store.db
concurrency: 48
`;
}

/** Tiles no taller than this, so a tall page stays legible when looked at (one PNG per tile: -1, -2, …). */
const TILE_HEIGHT = 1400;

/** PNGs of a page region (the whole page when `box` is undefined), cut into tiles of at most TILE_HEIGHT. */
async function shoot(
  page: Page,
  name: string,
  box?: { x: number; y: number; width: number; height: number },
): Promise<void> {
  const region =
    box ??
    (await page.evaluate<{ x: number; y: number; width: number; height: number }>(
      "({ x: 0, y: 0, width: document.documentElement.scrollWidth, height: document.documentElement.scrollHeight })",
    ));
  const tiles = Math.max(1, Math.ceil(region.height / TILE_HEIGHT));
  for (let tile = 0; tile < tiles; tile += 1) {
    const path = join(OUT, `${name}${tiles === 1 ? "" : `-${tile + 1}`}.png`);
    const top = region.y + tile * TILE_HEIGHT;
    await page.screenshot({
      path,
      fullPage: true,
      timeout: 300_000,
      clip: { x: region.x, y: top, width: region.width, height: Math.min(TILE_HEIGHT, region.y + region.height - top) },
    });
    console.log(path);
  }
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const server = await startFixtureServer({ handler, record: false });
  // SCREENSHOTS_PROJECT=<folder printed by an earlier pass> reuses its runs (only the reports are made again).
  const kept = process.env["SCREENSHOTS_PROJECT"];
  const project = kept ?? mkdtempSync(join(tmpdir(), "medsafety-screens-project-"));
  const runs: Record<string, string> = {};
  const all = Object.keys(BEHAVIOUR);
  for (const [name, targets] of [
    ["small", all.slice(0, 3)],
    ["large", all],
  ] as const) {
    let id: string | undefined;
    if (kept !== undefined) {
      id = readFileSync(join(project, `${name}.run-id`), "utf8").trim();
    } else {
      writeFileSync(join(project, `${name}.yaml`), config(server.openaiBaseURL, targets));
      const run = await runCli(["run", "-c", `${name}.yaml`, "--no-progress"], project);
      id = /^run id: (\S+)$/m.exec(run.stdout)?.[1];
      if (id === undefined) throw new Error(`run ${name} failed:\n${run.stdout}\n${run.stderr}`);
      if (run.code !== 0)
        console.log(
          `run ${name} ended with exit code ${run.code} (its injected failures): ${run.stderr.split("\n")[0] ?? ""}`,
        );
      writeFileSync(join(project, `${name}.run-id`), id);
    }
    runs[name] = id;
    for (const lang of LANGS) {
      const report = await runCli(
        [
          "report",
          "--run",
          id,
          "--format",
          "html",
          "--lang",
          lang,
          "--out",
          `report-${name}-${lang}.html`,
          "--store",
          "store.db",
          "--resamples",
          "200",
        ],
        project,
      );
      if (report.code !== 0) throw new Error(report.stderr);
    }
  }
  await server.close();

  const browser = await launchBrowser();
  try {
    for (const name of Object.keys(runs)) {
      for (const lang of LANGS) {
        for (const width of WIDTHS) {
          const page = await browser.newPage({ viewport: { width, height: 900 } });
          await page.goto(pathToFileURL(join(project, `report-${name}-${lang}.html`)).href);
          await page
            .locator("#examples details.conversation")
            .first()
            .evaluate((element) => element.setAttribute("open", ""));
          for (const section of SECTIONS) {
            const box = await page.locator(`section#${section}`).boundingBox();
            if (box !== null) await shoot(page, `report-${name}-${lang}-${width}-${section}`, box);
          }
          await page.close();
        }
      }
    }

    const stores = openStore(join(project, "store.db"));
    const view = await startViewServer({ db: stores.db, storePath: join(project, "store.db"), port: 0, lang: "en" });
    try {
      const run = runs["large"] ?? "";
      const base = `${view.url}runs/${encodeURIComponent(run)}`;
      for (
        let waited = 0;
        waited < 120 && (await (await fetch(`${base}`)).text()).includes('http-equiv="refresh"');
        waited += 1
      )
        await new Promise((wait) => setTimeout(wait, 1000));
      const pages: ReadonlyArray<readonly [string, string]> = [
        ["runs", view.url],
        ["run-overview", base],
        ["conversations", `${base}/conversations`],
        ["conversations-filtered", `${base}/conversations?disagreement=3`],
        ["conversation-multi-turn", `${base}/conversation?target=qwen2.5-7b-instruct&item=sample-01-ja`],
        ["conversation-error", `${base}/conversation?target=qwen2.5-7b-instruct&item=${await erroredItem(base)}`],
        [
          "conversation-medsafetybench",
          `${base}/conversation?target=medllama-3-8b-clinical-finetune-v2&item=${await firstItem(base, "msb-")}`,
        ],
        ["conversation-benign", `${base}/conversation?target=refuses-everything&item=benign-001-en`],
        ["strategy", `${base}/strategies/clinical-authority`],
        ["guideline", `${base}/guidelines/jma-10`],
        ["not-found", `${base}/conversation?target=nobody&item=none`],
      ];
      for (const lang of LANGS) {
        for (const width of WIDTHS) {
          const page = await browser.newPage({ viewport: { width, height: 900 } });
          for (const [name, url] of pages) {
            await page.goto(`${url}${url.includes("?") ? "&" : "?"}lang=${lang}`);
            await shoot(page, `view-${lang}-${width}-${name}`);
          }
          await page.close();
        }
      }
    } finally {
      await view.close();
      stores.db.close();
    }
  } finally {
    await browser.close();
  }
  console.log(`project (store, reports): ${project}\nscreenshots: ${OUT}`);
}

/** The item of the injected failure (qwen's third turn), found through the viewer's own error filter. */
async function erroredItem(base: string): Promise<string> {
  const body = await (await fetch(`${base}/conversations?target=qwen2.5-7b-instruct&state=error`)).text();
  return /data-item="([^"]+)"/.exec(body)?.[1] ?? "sample-01-en";
}

/** The first MedSafetyBench item (strategy "direct") of the fine-tune's conversations. */
async function firstItem(base: string, prefix: string): Promise<string> {
  const body = await (
    await fetch(`${base}/conversations?target=medllama-3-8b-clinical-finetune-v2&strategy=direct`)
  ).text();
  const items = [...body.matchAll(/data-item="([^"]+)"/g)].map((match) => match[1] ?? "");
  return items.find((item) => item.toLowerCase().startsWith(prefix)) ?? items[0] ?? "";
}

await main();
