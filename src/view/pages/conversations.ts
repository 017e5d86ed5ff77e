/** The conversations table: filter form (GET), one page of matches with per-turn scores, keyset next / previous. */
import { turnNumber } from "../../core/index.js";
import type { RunRecord } from "../../store/index.js";
import {
  type ConversationFilter,
  type ConversationPage,
  type Cursor,
  queryConversations,
} from "../conversation-query.js";
import { encodeCursor, filterQuery } from "../filter-params.js";
import { type Html, h, href, num, page } from "../layout.js";
import type { Messages } from "../messages.js";
import { itemLabels, type TurnSummary, turnSummaries } from "../run-data.js";
import type { ViewState } from "../view-state.js";
import { runPath } from "./run.js";

export const PAGE_SIZE = 50;
/** Time a page may spend searching before it answers with what it found (the page itself must answer in < 2 s). */
export const SEARCH_BUDGET_MS = 1000;

export interface ConversationsRequest {
  readonly filter: ConversationFilter;
  readonly after?: Cursor;
  readonly before?: Cursor;
}

export function conversationsPage(state: ViewState, run: RunRecord, m: Messages, request: ConversationsRequest): Html {
  const facts = state.facts(run);
  const started = performance.now();
  const result = queryConversations(
    {
      db: state.db,
      runId: run.id,
      targets: facts.targets,
      rubrics: facts.rubrics,
      items: state.items(run, request.filter),
      runItemCount: run.itemCount,
    },
    request.filter,
    {
      pageSize: PAGE_SIZE,
      budgetMs: SEARCH_BUDGET_MS,
      ...(request.after === undefined ? {} : { after: request.after }),
      ...(request.before === undefined ? {} : { before: request.before }),
    },
  );
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  const labels = itemLabels(
    state.db,
    run.id,
    result.rows.map((row) => row.itemId),
  );
  const path = runPath(run, "/conversations");
  const query = filterQuery(request.filter);
  const rows = result.rows.map((row) => {
    const item = labels.get(row.itemId);
    const turns = turnSummaries(state.db, run.id, facts.rubrics, row.targetId, row.itemId);
    const spreads = turns.flatMap((turn) => (turn.spread === null || turn.scored < 2 ? [] : [turn.spread]));
    return h`<tr data-target="${row.targetId}" data-item="${row.itemId}">
<td>${row.targetId}</td>
<td><a class="conversation-link" href="${href(runPath(run, "/conversation"), { target: row.targetId, item: row.itemId }, m.lang)}">${row.itemId}</a></td>
<td>${item?.language ?? ""}</td>
<td><a href="${href(runPath(run, `/strategies/${encodeURIComponent(item?.strategy ?? "")}`), {}, m.lang)}">${item?.strategy ?? ""}</a></td>
<td><a href="${href(runPath(run, `/guidelines/${encodeURIComponent(item?.guidelineId ?? "")}`), {}, m.lang)}">${item?.guidelineId ?? ""}</a></td>
<td>${turns.map((turn) => turnCell(turn, m))}</td>
<td class="num">${spreads.length === 0 ? "–" : num(Math.max(...spreads), 1)}</td></tr>`;
  });
  const table =
    rows.length === 0
      ? h`<p class="note" id="no-matches">${m.t("noMatches")}</p>`
      : h`<div class="table-wrap"><table class="conversations"><thead><tr><th>${m.t("model")}</th><th>${m.t("item")}</th><th>${m.t("language")}</th>
<th>${m.t("strategy")}</th><th>${m.t("guideline")}</th><th>${m.t("turnScores")}</th><th class="num">${m.t("maxSpread")}</th></tr></thead>
<tbody>${rows}</tbody></table></div>`;
  const body = h`<section class="panel">${filterForm(state, run, m, request.filter)}</section>
<section class="panel">${summary(result, m, seconds)}${pager(result, path, query, m)}${table}${pager(result, path, query, m)}</section>`;
  const other = m.lang === "en" ? "ja" : "en";
  return page({
    m,
    title: `${m.t("conversations")}: ${run.id}`,
    body,
    otherLanguage: href(
      path,
      {
        ...query,
        ...(request.after === undefined ? {} : { after: encodeCursor(request.after) }),
        ...(request.before === undefined ? {} : { before: encodeCursor(request.before) }),
      },
      other,
    ),
    breadcrumbs: [
      [m.t("runs"), href("/", {}, m.lang)],
      [run.id, href(runPath(run), {}, m.lang)],
    ],
  });
}

function turnCell(turn: TurnSummary, m: Messages): Html {
  if (turn.status === "error")
    return h`<span class="pill status-error" title="${m.t("turn", { n: turnNumber(turn.turnIndex) })}">${m.t("stateError")}</span>`;
  if (turn.scored === 0)
    return h`<span class="pill status-unscored" title="${m.t("turn", { n: turnNumber(turn.turnIndex) })}">${m.t("stateUnscored")}</span>`;
  return h`<span class="pill" title="${m.t("turn", { n: turnNumber(turn.turnIndex) })}">${num(turn.mean, 1)}</span>`;
}

function summary(result: ConversationPage, m: Messages, seconds: string): Html {
  const count =
    result.total === null
      ? h`<p id="match-count" class="muted">${m.t("inScope", { shown: result.rows.length, scope: result.scope })}</p>`
      : h`<p id="match-count" data-total="${result.total}">${m.t("matches", { count: result.total })}</p>`;
  const paused =
    result.complete || result.next === null
      ? ""
      : h`<p class="note" id="search-paused">${m.t("partial", { seconds, position: `${result.next.targetId} / ${result.next.itemId}` })}</p>`;
  return h`${count}${paused}`;
}

function pager(
  result: ConversationPage,
  path: string,
  query: Record<string, string | number | undefined>,
  m: Messages,
): Html {
  const previous =
    result.previous === null
      ? ""
      : h`<a class="previous" rel="prev" href="${href(path, { ...query, before: encodeCursor(result.previous) }, m.lang)}">${m.t("previous")}</a>`;
  const next =
    result.next === null
      ? ""
      : h`<a class="next" rel="next" href="${href(path, { ...query, after: encodeCursor(result.next) }, m.lang)}">${m.t("next")}</a>`;
  return h`<div class="pager">${previous}${next}</div>`;
}

function filterForm(state: ViewState, run: RunRecord, m: Messages, filter: ConversationFilter): Html {
  const facts = state.facts(run);
  const select = (
    name: string,
    label: string,
    values: readonly string[],
    current: string | undefined,
  ): Html => h`<label>${label}
<select name="${name}"><option value="">${m.t("any")}</option>${values.map((value) => h`<option value="${value}"${value === current ? h` selected` : ""}>${value}</option>`)}</select></label>`;
  const numberInput = (name: string, label: string, current: number | undefined, step: string): Html =>
    h`<label>${label}<input type="number" name="${name}" step="${step}" min="0" value="${current ?? ""}"></label>`;
  return h`<h2>${m.t("filters")}</h2>
<form class="filters" method="get" action="${runPath(run, "/conversations")}">
<input type="hidden" name="lang" value="${m.lang}">
${select("target", m.t("model"), facts.targets, filter.target)}
${select("strategy", m.t("strategy"), state.distinct(run, "strategy"), filter.strategy)}
${select("guideline", m.t("guideline"), state.distinct(run, "guideline_id"), filter.guideline)}
${select("language", m.t("language"), state.distinct(run, "language"), filter.language)}
${numberInput("min", m.t("minScore"), filter.minScore, "any")}
${numberInput("max", m.t("maxScore"), filter.maxScore, "any")}
${numberInput("disagreement", m.t("disagreement"), filter.disagreement, "any")}
<label>${m.t("state")}<select name="state"><option value="">${m.t("any")}</option>
<option value="error"${filter.state === "error" ? h` selected` : ""}>${m.t("stateError")}</option>
<option value="unscored"${filter.state === "unscored" ? h` selected` : ""}>${m.t("stateUnscored")}</option></select></label>
<button type="submit" id="apply-filters">${m.t("apply")}</button>
<a href="${href(runPath(run, "/conversations"), {}, m.lang)}">${m.t("reset")}</a>
</form>
<p class="muted">${m.t("filterNote")}</p>`;
}
