import { resolve } from "node:path";
import { isPostgresUrl, MedsafetyError } from "../core/index.js";
import {
  buildRunReport,
  compareRuns,
  DEFAULT_BOOTSTRAP,
  formatReportCsv,
  formatReportJson,
  formatReportMarkdown,
  formatReportTable,
  type GroupableDimension,
  loadReportExamples,
  type RunReport,
  renderHtmlReport,
} from "../report/index.js";
import { checkRunIndexes, openStore, type RunRecord, RunRepository, storeErrorOf } from "../store/index.js";

/** The formats of {@link ResultStore.render}, as `medsafety report --format` names them. */
export type ReportFormat = "json" | "csv" | "md" | "html" | "table";

/** How a report is computed (the `medsafety report` flags of the same names). */
export interface ReportOptions {
  /** Bootstrap resamples of the confidence intervals (default 1000) and their seed (default 1). */
  readonly resamples?: number;
  readonly seed?: number;
  /** Grouping dimensions of the multi-turn statistics (default: as `medsafety report` without `--group-by`). */
  readonly groupBy?: readonly GroupableDimension[];
  /** Report threads (default: one per core for large runs, else 1). */
  readonly threads?: number;
  /** Score reviewed turns with their latest human review instead of the judges' mean. */
  readonly useReviews?: boolean;
  /** Other runs of the same store to compare this one with (`report --compare`). */
  readonly compare?: readonly string[];
}

/** A stored run, as {@link ResultStore.runs} lists it (newest first). */
export type StoredRun = Pick<
  RunRecord,
  "id" | "status" | "createdAt" | "finishedAt" | "datasetSource" | "itemCount" | "packageVersion"
>;

/** A store opened for reading results: its runs and their reports. Close it when done. */
export interface ResultStore {
  /** The absolute path of the SQLite file. */
  readonly path: string;
  /** The most recent runs, newest first (at most `limit`, default 50). */
  runs(limit?: number): StoredRun[];
  /** The report model of a run (an id, a unique id prefix, or `latest`): what `report --format json` prints. */
  report(run: string, options?: ReportOptions): Promise<RunReport>;
  /** A run's report as text in one of the CLI's formats (`lang` for the table, Markdown and HTML, default `en`). */
  render(run: string, format: ReportFormat, options?: ReportOptions & { readonly lang?: "ja" | "en" }): Promise<string>;
  close(): void;
}

/**
 * Opens an existing store (made by `medsafety run` or {@link evaluate}) for reports. Throws a `MedsafetyError`
 * (`store_unusable` / `store_error`) naming the path and the fix when there is no usable store there. A run whose
 * report indexes are damaged is refused (`store_error`) rather than reported with wrong numbers.
 */
export function openResultStore(path: string): ResultStore {
  const opened = openStore(isPostgresUrl(path) ? path : resolve(path), undefined, { mustExist: true });
  const runs = new RunRepository(opened.db);
  const report = async (run: string, options: ReportOptions = {}): Promise<RunReport> => {
    const main = await reportOf(run, options);
    if (options.compare === undefined || options.compare.length === 0) return main;
    const others: RunReport[] = [];
    for (const other of options.compare) others.push(await reportOf(other, options));
    return { ...main, comparison: compareRuns(main, others) };
  };
  const reportOf = (run: string, options: ReportOptions): Promise<RunReport> => {
    const record = runs.resolve(run);
    requireIntact(opened.db, opened.path, record.id);
    return buildRunReport(opened.db, record, {
      passThreshold: (record.config as { passThreshold?: number }).passThreshold ?? 2,
      bootstrap: {
        ...DEFAULT_BOOTSTRAP,
        ...(options.resamples === undefined ? {} : { resamples: options.resamples }),
        ...(options.seed === undefined ? {} : { seed: options.seed }),
      },
      ...(options.groupBy === undefined ? {} : { groupBy: options.groupBy }),
      ...(options.threads === undefined ? {} : { threads: options.threads }),
      ...(options.useReviews === true ? { useReviews: true } : {}),
    });
  };
  return {
    path: opened.path,
    runs: (limit) => runs.list(limit).map(storedRun),
    report,
    render: async (run, format, options = {}) => {
      const built = await report(run, options);
      const lang = options.lang ?? "en";
      switch (format) {
        case "json":
          return formatReportJson(built);
        case "csv":
          return formatReportCsv(built);
        case "md":
          return formatReportMarkdown(built, { lang });
        case "table":
          return formatReportTable(built, { lang });
        case "html":
          return renderHtmlReport(built, loadReportExamples(opened.db, built), { lang });
      }
    },
    close: () => opened.db.close(),
  };
}

function storedRun(record: RunRecord): StoredRun {
  const { id, status, createdAt, finishedAt, datasetSource, itemCount, packageVersion } = record;
  return { id, status, createdAt, finishedAt, datasetSource, itemCount, packageVersion };
}

/** The cheap per-run index check the CLI runs before every report (a damaged index would change the statistics). */
function requireIntact(db: Parameters<typeof checkRunIndexes>[0], path: string, runId: string): void {
  let problems: string[];
  try {
    problems = checkRunIndexes(db, runId);
  } catch (error) {
    throw storeErrorOf(error, path);
  }
  if (problems.length === 0) return;
  throw new MedsafetyError(
    "store_error",
    `The store ${path} is damaged: ${problems.join("; ")}. A report from it would show wrong numbers, so none was made. ` +
      `Run \`medsafety store check --store ${path}\` for the full check, then restore the store from a backup.`,
  );
}
