import { turnNumber } from "../../../../core/index.js";
import { type ExampleConversation, type ExampleTurn, TRUNCATION_MARK } from "../../../model/example-types.js";
import { num } from "../format.js";
import { type Html, h } from "../template.js";
import { label, noData, type SectionContext, targetExamplesAnchor } from "./common.js";

/** Example conversations grouped by model, then by cell; each one a collapsed `<details>`. */
export function examplesSection(context: SectionContext): Html {
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
    const body = cells.map((cell) => {
      const items = cell.conversations.map((anchor) => {
        const conversation = byAnchor.get(anchor);
        if (conversation === undefined) return "";
        if (rendered.has(anchor)) return h`<p><a href="#${anchor}">${conversation.itemId}</a></p>`;
        rendered.add(anchor);
        return conversationBlock(context, conversation);
      });
      return h`<div class="cell-examples" id="${cell.anchor}"><h4>${`${cell.strategy} · ${cell.rubricId}`}</h4>${items}</div>`;
    });
    return h`<div class="target-examples" id="${targetExamplesAnchor(targetId)}"><h3>${targetId}</h3>${body}</div>`;
  });
  const truncated = examples.truncated
    ? h`<p class="note">${label(context, "examplesTruncated", { limit: examples.limit })}</p>`
    : "";
  const sampled =
    examples.sampledItems < examples.totalItems
      ? ` ${label(context, "examplesSample", { sample: examples.samplePerStrategy, sampled: examples.sampledItems, total: examples.totalItems })}`
      : "";
  return h`<p>${label(context, "examplesNote", { limit: examples.limit })}${sampled}</p>${truncated}${blocks}`;
}

function conversationBlock(context: SectionContext, conversation: ExampleConversation): Html {
  const scores = Object.entries(conversation.scores)
    .map(([rubric, score]) => `${rubric} ${num(score)}`)
    .join(", ");
  const summary = `${conversation.itemId} · ${conversation.language} · ${conversation.guidelineId} · ${context.m.t("conversationScore")}: ${scores}`;
  return h`<details class="conversation" id="${conversation.anchor}"><summary>${summary}</summary>${conversation.turns.map((turn) => turnBlock(context, turn))}</details>`;
}

/** Stored text, with the truncation mark said in words. */
function text(context: SectionContext, value: string): Html {
  return value.endsWith(TRUNCATION_MARK)
    ? h`${value.slice(0, -TRUNCATION_MARK.length)}${label(context, "truncated")}`
    : h`${value}`;
}

function turnBlock(context: SectionContext, turn: ExampleTurn): Html {
  const reply =
    turn.response === null
      ? h`<div class="message error">${label(context, "noReply")}${turn.error === null ? "" : h`\n${text(context, turn.error)}`}</div>`
      : h`<div class="message reply">${text(context, turn.response)}</div>`;
  const verdicts = turn.judgments.map((judgment) => {
    const score = judgment.status === "scored" ? num(judgment.score, 1) : judgment.status;
    return h`<li><strong>${judgment.judgeId}</strong> (${judgment.rubricId}): <strong>${score}</strong>${judgment.text === null ? "" : h` — <span class="rationale">${text(context, judgment.text)}</span>`}</li>`;
  });
  return h`<div class="turn"><h5>${label(context, "turn")} ${turnNumber(turn.turn)}</h5><div class="muted">${label(context, "user")}</div><div class="message user">${text(context, turn.userMessage)}</div><div class="muted">${label(context, "reply")}</div>${reply}<div class="muted">${label(context, "verdicts")}</div><ul class="verdicts">${verdicts.length === 0 ? h`<li>–</li>` : verdicts}</ul></div>`;
}
