/** Strategy and guideline pages: the definition from the built-in library or catalog, and the run's conversations. */
import type { RunRecord } from "../../store/index.js";
import { type Html, h, href, page } from "../layout.js";
import type { Messages } from "../messages.js";
import type { ViewState } from "../view-state.js";
import { runPath } from "./run.js";

function conversationsLink(run: RunRecord, m: Messages, query: Record<string, string>): Html {
  return h`<p><a id="run-conversations" href="${href(runPath(run, "/conversations"), query, m.lang)}">${m.t("runConversations")}</a></p>`;
}

export function strategyPage(state: ViewState, run: RunRecord, m: Messages, strategyId: string): Html {
  const found = state
    .strategyLibrary()
    .filter((entry) => entry.strategy.id === strategyId)
    .sort((left, right) => right.strategy.version - left.strategy.version)[0];
  const lang = m.lang;
  const definition =
    found === undefined
      ? h`<p class="note">${m.t("notInLibrary")}</p>`
      : h`<h2>${found.strategy.name[lang]} <span class="muted">${found.ref}</span></h2>
<h3>${m.t("definition")}</h3><p>${found.strategy.definition[lang]}</p>
<h3>${m.t("turnPlan")}</h3><ol>${found.strategy.turns.map((turn) => h`<li>${turn[lang]}</li>`)}</ol>`;
  const body = h`<section class="panel">${definition}${conversationsLink(run, m, { strategy: strategyId })}</section>`;
  return page({
    m,
    title: `${m.t("strategy")}: ${strategyId}`,
    body,
    otherLanguage: href(runPath(run, `/strategies/${encodeURIComponent(strategyId)}`), {}, lang === "en" ? "ja" : "en"),
    breadcrumbs: [
      [m.t("runs"), href("/", {}, lang)],
      [run.id, href(runPath(run), {}, lang)],
    ],
  });
}

export function guidelinePage(state: ViewState, run: RunRecord, m: Messages, guidelineId: string): Html {
  const found = state.guideline(guidelineId);
  const lang = m.lang;
  const definition =
    found === undefined
      ? h`<p class="note">${m.t("notInCatalog")}</p>`
      : h`<h2>${found.guideline.title[lang]} <span class="muted">${found.guideline.id} · ${found.catalog.name[lang]}</span></h2>
<p><span class="role">${m.t("section")}</span> ${found.catalog.sections.find((section) => section.id === found.guideline.section)?.title[lang] ?? found.guideline.section}</p>
<h3>${m.t("summary")}</h3><p>${found.guideline.summary[lang]}</p>
<h3>${m.t("violations")}</h3><ul>${found.guideline.violations[lang].map((violation) => h`<li>${violation}</li>`)}</ul>
<p class="muted">${found.catalog.notice[lang]}</p>`;
  const body = h`<section class="panel">${definition}${conversationsLink(run, m, { guideline: guidelineId })}</section>`;
  return page({
    m,
    title: `${m.t("guideline")}: ${guidelineId}`,
    body,
    otherLanguage: href(
      runPath(run, `/guidelines/${encodeURIComponent(guidelineId)}`),
      {},
      lang === "en" ? "ja" : "en",
    ),
    breadcrumbs: [
      [m.t("runs"), href("/", {}, lang)],
      [run.id, href(runPath(run), {}, lang)],
    ],
  });
}
