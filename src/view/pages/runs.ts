/** The runs list: id, created, status, targets, judges, items, turns. */
import { type Html, h, href, page } from "../layout.js";
import type { Messages } from "../messages.js";
import type { ViewState } from "../view-state.js";

export function runsPage(state: ViewState, m: Messages): Html {
  const runs = state.runs.list(200);
  const rows = runs.map((run) => {
    const facts = state.facts(run);
    return h`<tr>
<td><a class="run-link" href="${href(`/runs/${encodeURIComponent(run.id)}`, {}, m.lang)}">${run.id}</a></td>
<td>${run.createdAt}</td><td>${run.status}</td>
<td>${facts.targets.join(", ")}</td><td>${facts.judges.join(", ")}</td>
<td class="num">${run.itemCount}</td><td class="num">${state.turns(run)}</td><td>${run.datasetSource}</td></tr>`;
  });
  const body =
    runs.length === 0
      ? h`<p class="note">${m.t("noRuns")}</p>`
      : h`<section class="panel"><div class="table-wrap"><table class="runs"><thead><tr>
<th>${m.t("runId")}</th><th>${m.t("created")}</th><th>${m.t("status")}</th><th>${m.t("targets")}</th><th>${m.t("judges")}</th>
<th class="num">${m.t("items")}</th><th class="num">${m.t("turns")}</th><th>${m.t("dataset")}</th></tr></thead>
<tbody>${rows}</tbody></table></div></section>`;
  return page({ m, title: m.t("runs"), otherLanguage: href("/", {}, m.lang === "en" ? "ja" : "en"), body });
}
