import { existsSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { resolve } from "node:path";
import Table from "cli-table3";
import { InputError, ReviewError, turnNumber } from "../../core/index.js";
import { type Review, ReviewRepository } from "../../store/index.js";
import { openStores, type Stores, storePath } from "../open-store.js";
import type { Output } from "../output.js";
import { differingField, formatReviewLine, parseReviewLines, reviewForOutput, reviewOfLine } from "../review-lines.js";
import { PLAIN } from "../table-style.js";

/** `medsafety reviews list`: a run's reviews, the latest of each turn marked. */
export function reviewsListCommand(
  options: { run: string; target?: string; item?: string; json?: boolean; store?: string },
  output: Output,
): void {
  withStores(options.store, (stores) => {
    const run = stores.runs.resolve(options.run);
    const repository = new ReviewRepository(stores.db);
    const listed = repository.list(run.id, {
      ...(options.target === undefined ? {} : { targetId: options.target }),
      ...(options.item === undefined ? {} : { itemId: options.item }),
    });
    const latest = latestIds(repository, run.id, listed);
    if (options.json === true) {
      output.out(
        JSON.stringify(
          listed.map((review) => ({ ...reviewForOutput(review), latest: latest.has(review.id) })),
          null,
          2,
        ),
      );
      return;
    }
    if (listed.length === 0) {
      output.out(
        `run ${run.id} has no reviews yet: add them in \`medsafety view\` or with \`medsafety reviews import <file.jsonl> --run ${run.id}\``,
      );
      return;
    }
    const table = new Table({
      style: PLAIN,
      head: ["created", "reviewer", "target", "item", "turn", "rubric", "score", "latest", "reason"],
    });
    for (const review of listed) {
      table.push([
        review.createdAt,
        review.reviewer,
        review.targetId,
        review.itemId,
        turnNumber(review.turnIndex),
        review.rubricId,
        review.score,
        latest.has(review.id) ? "yes" : "",
        shorten(review.reason),
      ]);
    }
    output.out(table.toString());
    output.out(`${listed.length} review(s), ${latest.size} turn(s) reviewed`);
  });
}

/** `medsafety reviews export`: a run's reviews as JSONL. */
export function reviewsExportCommand(options: { run: string; out?: string; store?: string }, output: Output): void {
  withStores(options.store, (stores) => {
    const run = stores.runs.resolve(options.run);
    const listed = new ReviewRepository(stores.db).list(run.id);
    const text = listed.map(formatReviewLine).join("\n");
    if (options.out === undefined) {
      if (text !== "") output.out(text);
    } else {
      const path = resolve(options.out);
      writeFileSync(`${path}.partial`, text === "" ? "" : `${text}\n`);
      renameSync(`${path}.partial`, path);
    }
    output.err(
      `exported ${listed.length} review(s) of run ${run.id}${options.out === undefined ? "" : ` to ${resolve(options.out)}`}`,
    );
  });
}

/** `medsafety reviews import <file>`: adds the reviews of a JSONL file. */
export function reviewsImportCommand(file: string, options: { run?: string; store?: string }, output: Output): void {
  withStores(options.store, (stores) => {
    const { added, skipped } = importReviews(stores, resolve(file), options.run);
    output.out(
      `imported ${added} review(s) from ${resolve(file)}${skipped > 0 ? `; ${skipped} already stored, skipped` : ""}`,
    );
  });
}

export interface ImportResult {
  readonly added: number;
  readonly skipped: number;
}

/**
 * Reads and checks every line (JSON, fields, run, turn, scale) and adds the reviews in one transaction: a bad line
 * is an InputError naming the file, line and field, and nothing of the file is kept. A line whose id is stored
 * already is skipped when it is the same review (so importing a file twice adds nothing) and refused otherwise.
 */
export function importReviews(
  stores: Pick<Stores, "db" | "runs">,
  file: string,
  runReference: string | undefined,
  now = new Date(),
): ImportResult {
  if (!existsSync(file))
    throw new InputError(
      "dataset_invalid",
      { file },
      "reviews file not found",
      "Check the path (write one with `medsafety reviews export --out <file>`)",
    );
  const lines = parseReviewLines(file, readFileSync(file, "utf8"));
  const defaultRun = runReference === undefined ? undefined : stores.runs.resolve(runReference).id;
  const repository = new ReviewRepository(stores.db);
  const result = { added: 0, skipped: 0 };
  stores.db.transaction(() => {
    for (const { line, review: parsed } of lines) {
      const location = { file, line };
      const runId = runOfLine(parsed.runId, defaultRun, location);
      if (stores.runs.get(runId) === undefined) {
        throw new InputError(
          "dataset_invalid",
          { ...location, field: "runId" },
          `run ${runId} is not in this store`,
          "Import into the store that holds the run (--store), or list runs with `medsafety runs list`",
        );
      }
      const review = reviewOfLine(parsed, runId, now);
      const stored = repository.get(review.id);
      if (stored !== undefined) {
        const field = differingField(stored, review, parsed.createdAt !== undefined);
        if (field !== undefined) {
          throw new InputError(
            "dataset_invalid",
            { ...location, field: "id" },
            `review id "${review.id}" is stored already with a different ${field}`,
            "Give a new review its own id (or leave id out); reviews are never changed, a later review of the turn replaces it in reports",
          );
        }
        result.skipped += 1;
        continue;
      }
      try {
        repository.addExisting(review);
      } catch (error) {
        if (error instanceof ReviewError)
          throw new InputError("dataset_invalid", { ...location, field: error.field }, error.problem, error.fix);
        throw error;
      }
      result.added += 1;
    }
  })();
  return result;
}

function runOfLine(
  lineRun: string | undefined,
  defaultRun: string | undefined,
  location: { file: string; line: number },
): string {
  if (lineRun === undefined) {
    if (defaultRun === undefined)
      throw new InputError(
        "dataset_invalid",
        { ...location, field: "runId" },
        "the line names no run",
        "Add runId to the line or give --run <id>",
      );
    return defaultRun;
  }
  if (defaultRun !== undefined && lineRun !== defaultRun) {
    throw new InputError(
      "dataset_invalid",
      { ...location, field: "runId" },
      `the line's run ${lineRun} is not --run ${defaultRun}`,
      "Leave out --run to import the lines into their own runs, or remove runId from the lines",
    );
  }
  return lineRun;
}

/** Ids of the listed reviews that are the latest of their turn. */
function latestIds(repository: ReviewRepository, runId: string, listed: readonly Review[]): Set<string> {
  const rubrics = [...new Set(listed.map((review) => review.rubricId))];
  return new Set(rubrics.flatMap((rubricId) => repository.latestByTurn(runId, rubricId).map((review) => review.id)));
}

function shorten(text: string, length = 60): string {
  const line = text.replace(/\s+/g, " ").trim();
  return line.length <= length ? line : `${line.slice(0, length - 1)}…`;
}

function withStores(path: string | undefined, action: (stores: Stores) => void): void {
  const stores = openStores(storePath(path), { mustExist: true });
  try {
    action(stores);
  } finally {
    stores.close();
  }
}
