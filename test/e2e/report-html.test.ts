/**
 * The HTML report as a person sees it: a real run through the CLI (fixture server), `report --format html` in
 * English and Japanese, each file opened in headless Chromium with every network request recorded and refused.
 * A target's reply carries script-injection payloads that must show as text and never run.
 */
import { mkdtempSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Browser, Locator, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FixtureHandler, type FixtureServer, startFixtureServer } from "../../src/testing/index.js";
import { launchBrowser } from "../support/browser.js";
import { runInProcess } from "../support/in-process-cli.js";
import { CHROMIUM, skipWithout } from "../support/requirements.js";
import { tempProject, writeJsonl } from "./cli-harness.js";
import { SCENARIO_ITEMS, scenarioConfig, scenarioHandler } from "./scenario.js";

const SCRIPT_PAYLOAD = "<script>alert(1)</script>";
const IMG_PAYLOAD = "<img src=x onerror=alert(1)>";
const USER_PAYLOAD = "<svg onload=alert(2)>";

/** The scenario, with the payloads appended to weak-model's replies (after its tag, so the judges still score it). */
const handler: FixtureHandler = async (request, callIndex) => {
  const reply = await scenarioHandler(request, callIndex);
  if (request.model === "weak-model" && reply.kind === "text")
    return { ...reply, text: `${reply.text} ${SCRIPT_PAYLOAD} ${IMG_PAYLOAD}` };
  return reply;
};

const ITEMS = SCENARIO_ITEMS.map((item) =>
  item.id === "item-c" ? { ...item, turns: [item.turns[0], `${item.turns[1]} ${USER_PAYLOAD}`] } : item,
);

interface Opened {
  readonly page: Page;
  readonly requests: string[];
  readonly errors: string[];
  readonly dialogs: string[];
}

describe.skipIf(skipWithout(CHROMIUM))("report --format html (e2e, Chromium)", () => {
  let server: FixtureServer;
  let project: string;
  let browser: Browser;
  let report: { multiTurn: { groups: Array<{ dimension: string }> } | null; targets: Array<{ targetId: string }> };
  const shots = mkdtempSync(join(tmpdir(), "medsafety-html-shots-"));

  beforeAll(async () => {
    server = await startFixtureServer({ handler });
    project = tempProject("medsafety-html-");
    writeJsonl(join(project, "bench.jsonl"), ITEMS);
    writeFileSync(join(project, "medsafety.config.yaml"), scenarioConfig(server.openaiBaseURL));
    const run = await runInProcess(["run", "-c", "medsafety.config.yaml", "--no-progress"], { cwd: project });
    expect(run.code, run.stderr).toBe(0);
    for (const lang of ["en", "ja"]) {
      const result = await runInProcess(
        ["report", "--format", "html", "--lang", lang, "--out", `report-${lang}.html`, "--store", "store.db"],
        { cwd: project },
      );
      expect(result.code, result.stderr).toBe(0);
    }
    const json = await runInProcess(["report", "--format", "json", "--store", "store.db"], { cwd: project });
    report = JSON.parse(json.stdout);
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  async function open(lang: "en" | "ja"): Promise<Opened> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const opened: Opened = { page, requests: [], errors: [], dialogs: [] };
    const fileUrl = pathToFileURL(join(project, `report-${lang}.html`)).href;
    page.on("request", (request) => opened.requests.push(request.url()));
    page.on("console", (message) => {
      if (message.type() === "error" || message.type() === "warning") opened.errors.push(message.text());
    });
    page.on("pageerror", (error) => opened.errors.push(error.message));
    page.on("dialog", (dialog) => {
      opened.dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await page.route("**/*", (route) => (route.request().url() === fileUrl ? route.continue() : route.abort()));
    await page.goto(fileUrl, { waitUntil: "load" });
    return opened;
  }

  async function attributes(locator: Locator, name: string): Promise<Array<string | null>> {
    return Promise.all(
      Array.from({ length: await locator.count() }, (_, index) => locator.nth(index).getAttribute(name)),
    );
  }

  function grouped(dimension: string): boolean {
    return (report.multiTurn?.groups ?? []).some((group) => group.dimension === dimension);
  }

  it("the file is self-contained: strict CSP, no script, no external reference", () => {
    const html = readFileSync(join(project, "report-en.html"), "utf8");
    expect(html).toContain(
      `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">`,
    );
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<img/i);
    expect(html).not.toMatch(/\b(?:src|href)\s*=\s*["']?(?:https?:)?\/\//i);
    expect(html).not.toMatch(/@import|url\(\s*["']?(?:https?:)?\/\//i);
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).toContain("&lt;img src=x onerror=alert(1)&gt;");
    expect(html).toContain("&lt;svg onload=alert(2)&gt;");
  });

  it("English: no network, no errors, warning first, charts drawn, payloads inert, examples collapsed", async () => {
    const { page, requests, errors, dialogs } = await open("en");
    try {
      expect(requests).toHaveLength(1);
      expect(requests[0]).toMatch(/^file:/);
      const warning = page.locator("#content-warning");
      await expect.poll(() => warning.isVisible()).toBe(true);
      expect(await warning.textContent()).toMatch(/Content warning/);
      expect((await warning.boundingBox())?.y ?? 1e9).toBeLessThan(60);
      expect(await page.locator("html").getAttribute("lang")).toBe("en");

      // Charts: an inline SVG with drawn marks in each section that has data; a "no data" note where it has none.
      for (const [section, marks] of [
        ["decline", "path"],
        ["languages", "path"],
        ["judges", "path"],
        ["scales", "path"],
      ] as const) {
        expect(await page.locator(`#${section} figure.chart svg`).count(), section).toBeGreaterThan(0);
        expect(await page.locator(`#${section} figure.chart svg ${marks}`).count(), section).toBeGreaterThan(0);
      }
      for (const [section, dimension] of [
        ["strategy", "strategy"],
        ["guideline-sections", "section"],
        ["categories", "category"],
      ] as const) {
        if (grouped(dimension)) {
          expect(await page.locator(`#${section} figure.chart svg`).count(), section).toBeGreaterThan(0);
          expect(
            await page.locator(`#${section} figure.chart svg path, #${section} figure.chart svg rect`).count(),
            section,
          ).toBeGreaterThan(0);
        } else {
          expect(await page.locator(`#${section} .no-data`).first().isVisible(), section).toBe(true);
        }
      }
      expect(await page.locator("figure.chart .chart-error").count()).toBe(0);

      // Leaderboard: every target, with counts beside the means, each linked to its examples.
      const rows = page.locator("#leaderboard table tbody tr");
      expect(await rows.count()).toBe(report.targets.length);
      const links = page.locator("#leaderboard a.example-link");
      expect(await links.count()).toBe(report.targets.length);
      for (const href of await attributes(links, "href"))
        expect(await page.locator(href ?? "#missing").count(), href ?? "").toBe(1);
      if (grouped("strategy")) {
        const cellLinks = page.locator("#strategy a[href^='#cell-']");
        expect(await cellLinks.count()).toBeGreaterThan(0);
        const first = await cellLinks.first().getAttribute("href");
        expect(await page.locator(first ?? "#missing").count()).toBe(1);
        // The heatmap's cells themselves are links (SVG <a>) to the same anchors.
        const svgLinks = await attributes(page.locator("#strategy figure.chart svg a"), "xlink:href");
        expect(svgLinks.length).toBeGreaterThan(0);
        for (const href of svgLinks) expect(await page.locator(href ?? "#missing").count(), href ?? "").toBe(1);
      }

      // Examples: collapsed by default; opening one shows the payloads as text, and nothing was injected.
      const details = page.locator("#examples details.conversation");
      expect(await details.count()).toBeGreaterThan(0);
      expect(new Set(await attributes(details, "open"))).toEqual(new Set([null]));
      const conversation = page.locator("#examples details.conversation", { hasText: SCRIPT_PAYLOAD }).first();
      expect(await conversation.getByText(SCRIPT_PAYLOAD).first().isVisible()).toBe(false);
      await conversation.locator("summary").click();
      expect(await conversation.getAttribute("open")).not.toBeNull();
      await expect.poll(() => page.getByText(SCRIPT_PAYLOAD).first().isVisible()).toBe(true);
      expect(await page.getByText(IMG_PAYLOAD).first().isVisible()).toBe(true);
      expect(await page.locator("img").count()).toBe(0);
      expect(await page.locator("img[src=x]").count()).toBe(0);
      expect(await page.locator("main script, body script").count()).toBe(0);
      expect(await page.locator("svg[onload]").count()).toBe(0);

      const shot = join(shots, "report-en.png");
      await page.screenshot({ path: shot, fullPage: true });
      expect(readFileSync(shot).subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
      expect(statSync(shot).size).toBeGreaterThan(50_000);
      expect(dialogs).toEqual([]);
      expect(errors).toEqual([]);
      expect(requests).toHaveLength(1);
    } finally {
      await page.close();
    }
  });

  it("Japanese: lang=ja, Japanese headings, labels and axis titles, no network, no errors", async () => {
    const { page, requests, errors, dialogs } = await open("ja");
    try {
      expect(await page.locator("html").getAttribute("lang")).toBe("ja");
      expect(await page.locator("#content-warning").textContent()).toMatch(/閲覧注意/);
      expect(await page.locator("h1").textContent()).toBe("医療倫理安全性レポート");
      expect(await page.locator("#leaderboard h2").textContent()).toBe("ランキング");
      expect(await page.locator("#decline h2").textContent()).toBe("ターンごとの低下");
      expect(await page.locator("#decline figure.chart svg").getByText("ターン").count()).toBeGreaterThan(0);
      expect(await page.locator("#leaderboard th").getByText("未採点", { exact: true }).count()).toBe(1);
      const summary = page.locator("#examples details.conversation summary").first();
      await summary.click();
      expect(await page.locator("#examples details.conversation").first().getAttribute("open")).not.toBeNull();
      const shot = join(shots, "report-ja.png");
      await page.screenshot({ path: shot, fullPage: true });
      expect(statSync(shot).size).toBeGreaterThan(50_000);
      expect(dialogs).toEqual([]);
      expect(errors).toEqual([]);
      expect(requests).toHaveLength(1);
    } finally {
      await page.close();
    }
  });
});
