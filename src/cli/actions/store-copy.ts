import { existsSync, realpathSync } from "node:fs";
import { resolve } from "node:path";
import Table from "cli-table3";
import { isPostgresUrl, MedsafetyError, redactUrl } from "../../core/index.js";
import { copyStore, type StoreCopyProgress, type StoreCopyResult } from "../../store/index.js";
import { openStores } from "../open-store.js";
import type { Output } from "../output.js";
import { PLAIN } from "../table-style.js";

/** The options of `store copy` (registered in commands/store.ts). */
export interface StoreCopyOptions {
  from: string;
  to: string;
  /** Run ids, `latest` or unique prefixes; every run (and generation and discovery) when absent. */
  run?: string[];
  json?: boolean;
}

/** One progress line on stderr at most this often while a large table is copied. */
const PROGRESS_EVERY_MS = 10_000;

/**
 * `medsafety store copy --from <path|url> --to <path|url> [--run <id>...]`: copies runs and what belongs to them
 * between SQLite and PostgreSQL stores (store/store-copy.ts), then prints the rows copied per table. The source must
 * exist; the target is created (and migrated) when it does not. URLs are printed without their password.
 */
export function storeCopyCommand(options: StoreCopyOptions, output: Output): void {
  const [from, to] = [locationOf(options.from), locationOf(options.to)];
  if (sameStore(from, to)) {
    throw new MedsafetyError(
      "store_unusable",
      `--from and --to name the same store (${redactUrl(from)}): give the store to copy from and another to copy into.`,
    );
  }
  const source = openStores(from, { mustExist: true });
  try {
    const target = openStores(to);
    try {
      const runs = options.run?.map((reference) => source.runs.resolve(reference).id);
      let lastProgress = performance.now();
      const onProgress = (step: StoreCopyProgress): void => {
        if (step.done || performance.now() - lastProgress < PROGRESS_EVERY_MS) return;
        lastProgress = performance.now();
        output.err(`medsafety: copying ${step.table}: ${step.read.toLocaleString("en")} rows so far...`);
      };
      const result = copyStore(source.db, target.db, { ...(runs === undefined ? {} : { runs }), onProgress });
      print(result, { from: source.path, to: target.path, json: options.json === true }, output);
    } finally {
      target.close();
    }
  } finally {
    source.close();
  }
}

function locationOf(location: string): string {
  return isPostgresUrl(location) ? location : resolve(location);
}

function sameStore(a: string, b: string): boolean {
  if (isPostgresUrl(a) || isPostgresUrl(b)) return a === b;
  const real = (path: string): string => (existsSync(path) ? realpathSync(path) : path);
  return real(a) === real(b);
}

function print(
  result: StoreCopyResult,
  where: { readonly from: string; readonly to: string; readonly json: boolean },
  output: Output,
): void {
  if (where.json) {
    output.out(
      JSON.stringify(
        {
          from: where.from,
          to: where.to,
          runs: result.runs,
          alreadyCopied: result.alreadyCopied,
          tables: result.tables,
          seconds: result.seconds,
        },
        null,
        2,
      ),
    );
    return;
  }
  const count = (n: number): string => n.toLocaleString("en");
  const runs = result.runs.length === 1 ? "1 run" : `${count(result.runs.length)} runs`;
  output.out(`copied ${runs} from ${where.from} to ${where.to} in ${result.seconds.toFixed(1)} s`);
  if (result.alreadyCopied.length > 0)
    output.out(`already in the target (same record and rows, not read again): ${result.alreadyCopied.join(", ")}`);
  const table = new Table({ style: PLAIN, head: ["table", "rows read", "new in target", "seconds"] });
  for (const copied of result.tables)
    table.push([copied.table, count(copied.read), count(copied.inserted), copied.seconds.toFixed(1)]);
  output.out(table.toString());
}
