import { z } from "zod";
import { describeIssue, hashValue, InputError, parseJsonText, turnIndexOf, turnNumber } from "../core/index.js";
import { DEFAULT_RUBRIC } from "../judges/index.js";
import type { Review } from "../store/index.js";

/**
 * One line of a reviews JSONL file (`medsafety reviews export` writes every field; a hand-written line may leave out
 * `id`, `runId` (given by --run), `rubricId` (default jmedethic-safety) and `createdAt` (the import time)). `turn`
 * numbers turns from 1, as every report and the viewer do (turn 1 is the first user turn and its reply); the store
 * keeps the 0-based index.
 */
export const reviewLineSchema = z.strictObject({
  id: z.string().trim().min(1).optional(),
  runId: z.string().trim().min(1).optional(),
  targetId: z.string().min(1),
  itemId: z.string().min(1),
  turn: z.int().min(1, "turns are numbered from 1 (turn 1 is the first user turn and its reply)"),
  rubricId: z.string().min(1).default(DEFAULT_RUBRIC),
  score: z.number(),
  reason: z.string().refine((text) => text.trim() !== "", "the reason is empty"),
  reviewer: z.string().trim().min(1, "the reviewer is empty"),
  createdAt: z.iso.datetime({ offset: true }).optional(),
});

export type ReviewLine = z.infer<typeof reviewLineSchema>;

/** A parsed line with where it came from, so later errors (no such turn, off the scale) can name it. */
export interface ReadReviewLine {
  readonly line: number;
  readonly review: ReviewLine;
}

const FIX =
  'Fix this line: each line is one JSON object with targetId, itemId, turn (from 1), score, reason, reviewer (and optionally id, runId, rubricId, createdAt); see README "Human review"';

/** The field of the first format (0-based); refused with how to convert it rather than read with another meaning. */
const OLD_TURN_FIELD = "turnIndex";

/** Parses a reviews JSONL text; throws an InputError naming file, line and field on the first bad line. Blank lines are skipped. */
export function parseReviewLines(file: string, text: string): ReadReviewLine[] {
  const read: ReadReviewLine[] = [];
  text.split(/\r?\n/).forEach((content, index) => {
    if (content.trim() === "") return;
    read.push({ line: index + 1, review: parseReviewLine(file, index + 1, content) });
  });
  return read;
}

export function parseReviewLine(file: string, line: number, text: string): ReviewLine {
  const value = parseJsonText(file, text, { code: "dataset_invalid", firstLine: line, fix: FIX });
  if (typeof value === "object" && value !== null && Object.hasOwn(value, OLD_TURN_FIELD)) {
    throw new InputError(
      "dataset_invalid",
      { file, line, field: OLD_TURN_FIELD },
      "turnIndex (0-based) was replaced by turn (1-based): add 1 and rename the field",
      'For example "turnIndex": 0 becomes "turn": 1 (the first user turn and its reply), the numbering of reports, the viewer and `medsafety reviews export`; see README "Human review"',
    );
  }
  const parsed = reviewLineSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const { field, problem } = describeIssue(parsed.error.issues[0], "review");
  throw new InputError("dataset_invalid", { file, line, field }, problem, FIX);
}

/**
 * The review a line stands for, in `runId`. A line without an id gets one hashed from its content, so importing the
 * same hand-written file twice adds each review once; a line without a time is stamped `now`.
 */
export function reviewOfLine(line: ReviewLine, runId: string, now: Date): Review {
  const fields = {
    runId,
    targetId: line.targetId,
    itemId: line.itemId,
    turnIndex: turnIndexOf(line.turn),
    rubricId: line.rubricId,
    score: line.score,
    reason: line.reason,
    reviewer: line.reviewer,
  };
  const id = line.id ?? `review-${hashValue(["review", fields, line.createdAt ?? null], 32)}`;
  return {
    ...fields,
    id,
    createdAt: line.createdAt === undefined ? now.toISOString() : new Date(line.createdAt).toISOString(),
  };
}

/** A stored review as files and `reviews list --json` show it: every field, in a stable key order, `turn` from 1. */
export function reviewForOutput(review: Review): Required<ReviewLine> {
  const { id, runId, targetId, itemId, turnIndex, rubricId, score, reason, reviewer, createdAt } = review;
  return { id, runId, targetId, itemId, turn: turnNumber(turnIndex), rubricId, score, reason, reviewer, createdAt };
}

/** One JSONL line of a stored review (what `reviews import` reads back). */
export function formatReviewLine(review: Review): string {
  return JSON.stringify(reviewForOutput(review));
}

const COMPARED = ["runId", "targetId", "itemId", "turnIndex", "rubricId", "score", "reason", "reviewer"] as const;
/** The line's name of a compared field (the store's turnIndex is the line's turn). */
const LINE_FIELD: Readonly<Record<(typeof COMPARED)[number], string>> = {
  runId: "runId",
  targetId: "targetId",
  itemId: "itemId",
  turnIndex: "turn",
  rubricId: "rubricId",
  score: "score",
  reason: "reason",
  reviewer: "reviewer",
};

/**
 * The first field (named as in the line) where a review read from a file differs from the stored review with the
 * same id (undefined: the same review, which import skips). The time counts only when the line gave one.
 */
export function differingField(stored: Review, incoming: Review, lineHasTime: boolean): string | undefined {
  const field = COMPARED.find((name) => stored[name] !== incoming[name]);
  if (field !== undefined) return LINE_FIELD[field];
  return lineHasTime && stored.createdAt !== incoming.createdAt ? "createdAt" : undefined;
}
