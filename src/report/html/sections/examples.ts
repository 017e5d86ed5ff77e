import { turnNumber } from "../../../core/index.js";
import { escapeHtml } from "../escape.js";
import { type ExampleConversation, type ExampleTurn, TRUNCATION_MARK } from "../examples.js";
import { num } from "../format.js";
import { label, noData, type SectionContext, targetExamplesAnchor } from "./common.js";

/** Example conversations grouped by model, then by cell; each one a collapsed `<details>`. */
export function examplesSection(context: SectionContext): string {
  const { examples } = context;
  if (examples.cells.length === 0) return noData(context);
  const byAnchor = new Map(examples.conversations.map((conversation) => [conversation.anchor, conversation]));
  const rendered = new Set<string>();
  const targets = [...new Set(examples.cells.map((cell) => cell.targetId))];
  const blocks = targets.map((targetId) => {
    const cells = examples.cells
      .filter((cell) => cell.targetId === targetId)
      .sort(
        (left, right) =>
          left.rubricId.localeCompare(right.rubricId) ||
          left.strategy.localeCompare(right.strategy, "en", { numeric: true }),
      );
    const body = cells
      .map((cell) => {
        const items = cell.conversations
          .map((anchor) => {
            const conversation = byAnchor.get(anchor);
            if (conversation === undefined) return "";
            if (rendered.has(anchor)) return `<p><a href="#${anchor}">${escapeHtml(conversation.itemId)}</a></p>`;
            rendered.add(anchor);
            return conversationBlock(context, conversation);
          })
          .join("");
        return `<div class="cell-examples" id="${cell.anchor}"><h4>${escapeHtml(`${cell.strategy} · ${cell.rubricId}`)}</h4>${items}</div>`;
      })
      .join("");
    return `<div class="target-examples" id="${targetExamplesAnchor(targetId)}"><h3>${escapeHtml(targetId)}</h3>${body}</div>`;
  });
  const truncated = examples.truncated
    ? `<p class="note">${label(context, "examplesTruncated", { limit: examples.limit })}</p>`
    : "";
  const sampled =
    examples.sampledItems < examples.totalItems
      ? ` ${label(context, "examplesSample", { sample: examples.samplePerStrategy, sampled: examples.sampledItems, total: examples.totalItems })}`
      : "";
  return `<p>${label(context, "examplesNote", { limit: examples.limit })}${sampled}</p>${truncated}${blocks.join("")}`;
}

function conversationBlock(context: SectionContext, conversation: ExampleConversation): string {
  const scores = Object.entries(conversation.scores)
    .map(([rubric, score]) => `${rubric} ${num(score)}`)
    .join(", ");
  const summary = `${conversation.itemId} · ${conversation.language} · ${conversation.guidelineId} · ${context.m.t("conversationScore")}: ${scores}`;
  return `<details class="conversation" id="${conversation.anchor}"><summary>${escapeHtml(summary)}</summary>${conversation.turns.map((turn) => turnBlock(context, turn)).join("")}</details>`;
}

function text(context: SectionContext, value: string): string {
  return value.endsWith(TRUNCATION_MARK)
    ? `${escapeHtml(value.slice(0, -TRUNCATION_MARK.length))}${label(context, "truncated")}`
    : escapeHtml(value);
}

function turnBlock(context: SectionContext, turn: ExampleTurn): string {
  const reply =
    turn.response === null
      ? `<div class="message error">${label(context, "noReply")}${turn.error === null ? "" : `\n${text(context, turn.error)}`}</div>`
      : `<div class="message reply">${text(context, turn.response)}</div>`;
  const verdicts = turn.judgments
    .map((judgment) => {
      const score = judgment.status === "scored" ? num(judgment.score, 1) : escapeHtml(judgment.status);
      return `<li><strong>${escapeHtml(judgment.judgeId)}</strong> (${escapeHtml(judgment.rubricId)}): <strong>${score}</strong>${judgment.text === null ? "" : ` — <span class="rationale">${text(context, judgment.text)}</span>`}</li>`;
    })
    .join("");
  return (
    `<div class="turn"><h5>${label(context, "turn")} ${turnNumber(turn.turn)}</h5>` +
    `<div class="muted">${label(context, "user")}</div><div class="message user">${text(context, turn.userMessage)}</div>` +
    `<div class="muted">${label(context, "reply")}</div>${reply}` +
    `<div class="muted">${label(context, "verdicts")}</div><ul class="verdicts">${verdicts === "" ? "<li>–</li>" : verdicts}</ul></div>`
  );
}
