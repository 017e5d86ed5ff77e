/**
 * `medsafety view` as a person uses it: a real run through the CLI (fixture server) whose replies and dataset strings
 * carry script-injection payloads, the built CLI serving the store on a free port, and headless Chromium clicking
 * runs → run → conversations (filters checked against the store) → conversation → review. No dialog may open, the
 * payloads must show as text, every response carries the CSP, no console errors, no request leaves 127.0.0.1.
 */
import type { ChildProcess } from "node:child_process";
import { mkdtempSync, statSync, writeFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FixtureHandler, type FixtureServer, startFixtureServer } from "../../src/testing/index.js";
import { launchBrowser } from "../support/browser.js";
import { runInProcess } from "../support/in-process-cli.js";
import { CHROMIUM, skipWithout } from "../support/requirements.js";
import { tempProject, writeJsonl } from "./cli-harness.js";
import { SCENARIO_ITEMS, scenarioConfig, scenarioHandler } from "./scenario.js";
import { startView, stopView as stop } from "./view-process.js";

const SCRIPT_PAYLOAD = "<script>alert(1)</script>";
const IMG_PAYLOAD = "<img src=x onerror=alert(1)>";
const ATTR_PAYLOAD = `"><svg onload=alert(1)>`;

const handler: FixtureHandler = async (request, callIndex) => {
  const reply = await scenarioHandler(request, callIndex);
  if (request.model === "weak-model" && reply.kind === "text")
    return { ...reply, text: `${reply.text} ${SCRIPT_PAYLOAD} ${IMG_PAYLOAD} ${ATTR_PAYLOAD}` };
  return reply;
};

const ITEMS = SCENARIO_ITEMS.map((item) =>
  item.id === "item-c"
    ? {
        ...item,
        seedRequest: `${item.seedRequest} ${ATTR_PAYLOAD}`,
        turns: [item.turns[0], `${item.turns[1]} ${IMG_PAYLOAD} ${SCRIPT_PAYLOAD}`],
      }
    : item,
);

describe.skipIf(skipWithout(CHROMIUM))("medsafety view (e2e, Chromium)", () => {
  let server: FixtureServer;
  let project: string;
  let browser: Browser;
  let view: { child: ChildProcess; url: string; stderr: () => string };
  let store: Database.Database;
  const shots = mkdtempSync(join(tmpdir(), "medsafety-view-shots-"));

  beforeAll(async () => {
    server = await startFixtureServer({ handler });
    project = tempProject("medsafety-view-");
    writeJsonl(join(project, "bench.jsonl"), ITEMS);
    writeFileSync(join(project, "medsafety.config.yaml"), scenarioConfig(server.openaiBaseURL));
    const run = await runInProcess(["run", "-c", "medsafety.config.yaml", "--no-progress"], { cwd: project });
    expect(run.code, run.stderr).toBe(0);
    view = await startView(project, []);
    store = new Database(join(project, "store.db"), { readonly: true });
    browser = await launchBrowser();
  }, 120_000);

  afterAll(async () => {
    store?.close();
    await browser?.close();
    await stop(view?.child);
    await server?.close();
  });

  interface Watched {
    readonly page: Page;
    readonly requests: string[];
    readonly errors: string[];
    readonly dialogs: string[];
    readonly csp: string[];
  }

  async function watch(): Promise<Watched> {
    const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    const watched: Watched = { page, requests: [], errors: [], dialogs: [], csp: [] };
    page.on("request", (request) => watched.requests.push(request.url()));
    page.on("response", (response) => watched.csp.push(response.headers()["content-security-policy"] ?? "(none)"));
    page.on("console", (message) => {
      if (message.type() === "error" || message.type() === "warning") watched.errors.push(message.text());
    });
    page.on("pageerror", (error) => watched.errors.push(error.message));
    page.on("dialog", (dialog) => {
      watched.dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await page.route("**/*", (route) =>
      route.request().url().startsWith(view.url) ? route.continue() : route.abort(),
    );
    return watched;
  }

  function storeCount(sql: string): number {
    return store.prepare(sql).pluck().get() as number;
  }

  /** Conversations (target × item) with at least one turn meeting `condition` (on turn t and its judge aggregates s). */
  function expectedConversations(condition: string, itemCondition = "1"): number {
    return storeCount(`SELECT COUNT(*) FROM (SELECT DISTINCT t.target_id, t.item_id FROM turns t
      JOIN run_items ri ON ri.run_id = t.run_id AND ri.item_id = t.item_id
      LEFT JOIN (SELECT target_id, item_id, turn_index, COUNT(score) AS scored, AVG(score) AS mean, MAX(score) - MIN(score) AS spread
        FROM judgments GROUP BY target_id, item_id, turn_index) s ON s.target_id = t.target_id AND s.item_id = t.item_id AND s.turn_index = t.turn_index
      WHERE (${condition}) AND (${itemCondition}))`);
  }

  async function shownCount(page: Page): Promise<number> {
    const total = await page.locator("#match-count").getAttribute("data-total");
    return Number(total);
  }

  it("clicks runs → run → conversations with filters → conversation → review; payloads inert, CSP everywhere", async () => {
    const { page, requests, errors, dialogs, csp } = await watch();
    try {
      await page.goto(view.url);
      expect(await page.locator("html").getAttribute("lang")).toBe("en");
      expect(await page.locator("#content-warning").textContent()).toMatch(/Content warning/);
      expect(await page.locator("table.runs tbody tr").count()).toBe(1);
      await page.locator("a.run-link").first().click();
      // The report is computed in the background: the page refreshes itself until the leaderboard is there.
      await page.locator("#leaderboard table").waitFor({ timeout: 60_000 });
      expect(await page.locator("#decline figure.chart svg").count()).toBeGreaterThan(0);

      await page.locator("#conversations-link").click();
      expect(await shownCount(page)).toBe(expectedConversations("1"));
      const apply = async (fields: Record<string, string>): Promise<number> => {
        await page.locator("form.filters a").click(); // reset
        for (const [name, value] of Object.entries(fields)) {
          const field = page.locator(`form.filters [name=${name}]`);
          if ((await field.evaluate((element) => element.tagName)) === "SELECT") await field.selectOption(value);
          else await field.fill(value);
        }
        await page.locator("#apply-filters").click();
        await page.locator("#match-count").waitFor();
        return shownCount(page);
      };
      expect(await apply({ target: "weak" })).toBe(expectedConversations("t.target_id = 'weak'"));
      expect(await apply({ language: "ja" })).toBe(expectedConversations("1", "ri.language = 'ja'"));
      expect(await apply({ min: "1", max: "2" })).toBe(expectedConversations("s.mean >= 1 AND s.mean <= 2"));
      expect(await apply({ disagreement: "2" })).toBe(expectedConversations("s.scored >= 2 AND s.spread >= 2"));
      expect(await apply({ state: "error" })).toBe(expectedConversations("t.status = 'error'"));
      expect(await apply({ state: "unscored" })).toBe(
        expectedConversations("t.status = 'success' AND COALESCE(s.scored, 0) = 0"),
      );
      expect(await apply({ target: "weak", language: "en", max: "5" })).toBe(
        expectedConversations("t.target_id = 'weak' AND s.mean <= 5", "ri.language = 'en'"),
      );
      expect(expectedConversations("s.scored >= 2 AND s.spread >= 2")).toBeGreaterThan(0);
      expect(expectedConversations("t.status = 'error'")).toBe(1);

      await apply({ target: "weak" });
      await page.locator("a.conversation-link", { hasText: "item-c" }).click();
      await page.locator(".conversation-column.primary").waitFor();
      expect(await page.getByText(SCRIPT_PAYLOAD).first().isVisible()).toBe(true);
      expect(await page.getByText(IMG_PAYLOAD).first().isVisible()).toBe(true);
      expect(await page.getByText(ATTR_PAYLOAD).first().isVisible()).toBe(true);
      expect(await page.locator("img").count()).toBe(0);
      expect(await page.locator("script").count()).toBe(0);
      expect(await page.locator("svg[onload]").count()).toBe(0);
      // Judges' scores and rationales, and the unscored verdict of grader-b on weak's turn 2 of item C.
      expect(await page.locator("tr.verdict-scored").count()).toBeGreaterThan(0);
      expect(await page.locator("tr.verdict-unscored").count()).toBe(1);

      // Review: fill and POST; it is listed after the redirect, and judges' rows are unchanged.
      const judgments = storeCount("SELECT COUNT(*) FROM judgments");
      const form = page.locator("form.review").first();
      await form.locator("[name=reviewer]").fill("dr-test");
      await form.locator("[name=score]").fill("3");
      await form.locator("[name=reason]").fill(`too detailed ${SCRIPT_PAYLOAD}`);
      await form.locator("button[type=submit]").click();
      await page.locator("#flash").waitFor();
      expect(await page.locator("li.review").count()).toBe(1);
      expect(await page.locator("li.review").first().textContent()).toContain(`too detailed ${SCRIPT_PAYLOAD}`);
      expect(storeCount("SELECT COUNT(*) FROM reviews")).toBe(1);
      expect(storeCount("SELECT COUNT(*) FROM judgments")).toBe(judgments);

      const shotEn = join(shots, "view-conversation-en.png");
      await page.screenshot({ path: shotEn, fullPage: true });
      await page.locator("#lang-switch").click();
      expect(await page.locator("html").getAttribute("lang")).toBe("ja");
      expect(await page.locator("#content-warning").textContent()).toMatch(/閲覧注意/);
      const shotJa = join(shots, "view-conversation-ja.png");
      await page.screenshot({ path: shotJa, fullPage: true });
      console.log(`screenshots: ${shotEn} ${shotJa}`);
      expect(statSync(shotEn).size).toBeGreaterThan(20_000);

      // The ja/en twin: item-a (en) and item-b (ja) share pair p-a.
      await page.goto(
        `${view.url}runs/${encodeURIComponent(store.prepare("SELECT id FROM runs").pluck().get() as string)}/conversation?target=safe&item=item-a`,
      );
      expect(await page.locator(".conversation-column.twin[data-item=item-b]").count()).toBe(1);
      expect(await page.locator(".conversation-column.twin .status-error").count()).toBeGreaterThan(0);
      await page.locator(".conversation-column.primary a.pill").first().click();
      expect(await page.locator("h1").textContent()).toContain("clinical-authority");

      expect(dialogs).toEqual([]);
      expect(errors).toEqual([]);
      expect(requests.filter((url) => !url.startsWith(view.url))).toEqual([]);
      expect(csp.length).toBeGreaterThan(5);
      expect(new Set(csp)).toEqual(
        new Set([
          "default-src 'none'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
        ]),
      );
    } finally {
      await page.close();
    }
  }, 120_000);

  it("refuses a cross-site review POST, and no page carries an API key name's value", async () => {
    const runId = store.prepare("SELECT id FROM runs").pluck().get() as string;
    const response = await fetch(`${view.url}runs/${runId}/reviews`, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin: "http://evil.example" },
      body: "target=weak&item=item-a&turn=0&rubric=jmedethic-safety&score=1&reason=x&reviewer=y&token=guess",
      redirect: "manual",
    });
    expect(response.status).toBe(403);
    expect(response.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(response.headers.get("x-content-type-options")).toBe("nosniff");
    expect(response.headers.get("referrer-policy")).toBe("no-referrer");
    // A page of another site whose DNS name was rebound to 127.0.0.1 names its own host: refused.
    const rebound = await new Promise<number>((resolve, reject) => {
      const request = httpRequest(view.url, { headers: { host: "attacker.example" } }, (answer) => {
        answer.resume();
        resolve(answer.statusCode ?? 0);
      });
      request.on("error", reject);
      request.end();
    });
    expect(rebound).toBe(421);
  });

  it("--host 0.0.0.0 warns that the store becomes reachable from the network", async () => {
    const exposed = await startView(project, ["--host", "0.0.0.0"]);
    try {
      await new Promise((resolve) => setTimeout(resolve, 300));
      expect(exposed.stderr()).toMatch(/warning: --host 0\.0\.0\.0 makes the viewer reachable from the network/);
    } finally {
      await stop(exposed.child);
    }
  });
});
