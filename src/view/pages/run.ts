/** A run's overview: its facts, links to its conversations by model, and the report's sections once computed. */
import { raw } from "hono/html";
import type { RunRecord } from "../../store/index.js";
import { type Html, h, href, page } from "../layout.js";
import type { Messages } from "../messages.js";
import type { ViewState } from "../view-state.js";

export function runPath(run: RunRecord, rest = ""): string {
  return `/runs/${encodeURIComponent(run.id)}${rest}`;
}

export function runPage(state: ViewState, run: RunRecord, m: Messages): Html {
  const facts = state.facts(run);
  const report = state.reports.get(run.id);
  const conversations = runPath(run, "/conversations");
  const models = facts.targets.map(
    (target) => h`<a class="pill" href="${href(conversations, { target }, m.lang)}">${target}</a>`,
  );
  let reportHtml: Html;
  if (report.state === "ready") {
    // The report's sections are HTML the report renderer built from escaped parts (src/report/format/html): trusted markup,
    // not data, so it is inserted as is. Every string of the store in it was escaped by that renderer.
    reportHtml = h`${report.pages[m.lang].map((section) => h`<section class="report-section" id="${section.id}">${raw(section.html)}</section>`)}`;
  } else if (report.state === "computing") {
    reportHtml = h`<section class="panel" id="report-computing"><p>${m.t("computing")}</p><p class="muted">${m.t("computingSince", { seconds: Math.round((Date.now() - report.since) / 1000) })}</p></section>`;
  } else {
    reportHtml = h`<section class="panel"><p class="status-error">${m.t("reportFailed", { message: report.message })}</p></section>`;
  }
  const body = h`<section class="panel"><dl class="meta">
<dt>${m.t("status")}</dt><dd>${run.status}</dd><dt>${m.t("created")}</dt><dd>${run.createdAt}</dd>
<dt>${m.t("dataset")}</dt><dd>${run.datasetSource}</dd><dt>${m.t("items")}</dt><dd>${run.itemCount}</dd>
<dt>${m.t("judges")}</dt><dd>${facts.judges.join(", ")}</dd></dl>
<h3><a id="conversations-link" href="${href(conversations, {}, m.lang)}">${m.t("conversations")}</a></h3>
<p>${m.t("byModel")}: ${models}</p></section>
${reportHtml}`;
  const other = m.lang === "en" ? "ja" : "en";
  return page({
    m,
    title: `${m.t("overview")}: ${run.id}`,
    otherLanguage: href(runPath(run), {}, other),
    body,
    breadcrumbs: [[m.t("runs"), href("/", {}, m.lang)]],
    ...(report.state === "computing" ? { refreshSeconds: 3 } : {}),
  });
}
