/** Filters and cursors from a page's query string: unknown or malformed values are dropped, never passed to SQL as text. */
import { type ConversationFilter, type Cursor, TURN_STATES, type TurnState } from "./conversation-query.js";

export type Query = (name: string) => string | undefined;

function text(query: Query, name: string): string | undefined {
  const value = query(name)?.trim();
  return value === undefined || value === "" || value.length > 200 ? undefined : value;
}

function number(query: Query, name: string): number | undefined {
  const value = text(query, name);
  if (value === undefined) return undefined;
  const parsed = Number(value);
  return Number.isFinite(parsed) ? parsed : undefined;
}

export function parseFilter(query: Query): ConversationFilter {
  const state = text(query, "state");
  const entries: Array<[keyof ConversationFilter, string | number | undefined]> = [
    ["target", text(query, "target")],
    ["strategy", text(query, "strategy")],
    ["guideline", text(query, "guideline")],
    ["language", text(query, "language")],
    ["minScore", number(query, "min")],
    ["maxScore", number(query, "max")],
    ["disagreement", number(query, "disagreement")],
    ["state", (TURN_STATES as readonly string[]).includes(state ?? "") ? (state as TurnState) : undefined],
  ];
  return Object.fromEntries(entries.filter(([, value]) => value !== undefined)) as ConversationFilter;
}

/** The filter as query parameters (the inverse of parseFilter). */
export function filterQuery(filter: ConversationFilter): Record<string, string | number | undefined> {
  return {
    target: filter.target,
    strategy: filter.strategy,
    guideline: filter.guideline,
    language: filter.language,
    min: filter.minScore,
    max: filter.maxScore,
    disagreement: filter.disagreement,
    state: filter.state,
  };
}

/** A cursor as one parameter: target and item id joined by a newline (neither holds one). */
export function encodeCursor(cursor: Cursor): string {
  return `${cursor.targetId}\n${cursor.itemId}`;
}

export function decodeCursor(value: string | undefined): Cursor | undefined {
  if (value === undefined) return undefined;
  const [targetId, itemId, extra] = value.split("\n");
  return targetId === undefined || itemId === undefined || extra !== undefined ? undefined : { targetId, itemId };
}
