import { renameSync, writeFileSync } from "node:fs";
import { loadConfig } from "../../config/index.js";
import {
  type BonferroniFamily,
  buildRunReport,
  compareRuns,
  formatReportCsv,
  formatReportJson,
  formatReportMarkdown,
  formatReportTable,
  type GroupableDimension,
  loadReportExamples,
  type RunReport,
  renderHtmlReport,
} from "../../report/index.js";
import type { REPORT_FORMATS } from "../commands/option-values.js";
import { openStores, requireIntactRun, storePath } from "../open-store.js";
import type { Output } from "../output.js";

export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** The options of `report` (its action: actions/report.ts). */
export interface ReportCommandOptions {
  run: string;
  compare?: string[];
  format: ReportFormat;
  out?: string;
  lang: "ja" | "en";
  resamples: number;
  seed: number;
  groupBy: GroupableDimension[];
  threads?: number;
  useReviews?: boolean;
  bonferroniFamily?: BonferroniFamily;
  store?: string;
  config?: string;
}

export interface RenderOptions {
  readonly format: ReportFormat;
  readonly compare?: readonly string[];
  readonly lang?: "ja" | "en";
  readonly resamples?: number;
  readonly seed?: number;
  readonly groupBy?: readonly GroupableDimension[];
  readonly threads?: number;
  /** Score reviewed turns with their latest human review (`--use-reviews`). */
  readonly useReviews?: boolean;
  /** `--bonferroni-family`: overrides the run config's `analysis.bonferroniFamily`. */
  readonly bonferroniFamily?: BonferroniFamily;
}

/** `medsafety report`: a run's report (and comparisons) to standard output or `--out`. */
export async function reportCommand(options: ReportCommandOptions, output: Output): Promise<void> {
  const configStore = options.config === undefined ? undefined : loadConfig(options.config).config.store;
  const stores = openStores(storePath(options.store, configStore), { mustExist: true });
  try {
    const text = await renderReport(stores, options.run, {
      format: options.format,
      lang: options.lang,
      resamples: options.resamples,
      seed: options.seed,
      groupBy: options.groupBy,
      ...(options.threads === undefined ? {} : { threads: options.threads }),
      ...(options.useReviews === true ? { useReviews: true } : {}),
      ...(options.bonferroniFamily === undefined ? {} : { bonferroniFamily: options.bonferroniFamily }),
      ...(options.compare === undefined ? {} : { compare: options.compare }),
    });
    if (options.out === undefined) output.out(text);
    else {
      const temporary = `${options.out}.partial`;
      writeFileSync(temporary, text.endsWith("\n") ? text : `${text}\n`);
      renameSync(temporary, options.out);
      output.err(`wrote the ${options.format} report to ${options.out}`);
    }
  } finally {
    stores.close();
  }
}

/** The report of a run in the given format (shared with quickstart). */
export async function renderReport(
  stores: ReturnType<typeof openStores>,
  run: string,
  options: RenderOptions,
): Promise<string> {
  const report = await reportOf(stores, run, options);
  const compared: RunReport[] = [];
  for (const other of options.compare ?? []) compared.push(await reportOf(stores, other, options));
  const full: RunReport = compared.length === 0 ? report : { ...report, comparison: compareRuns(report, compared) };
  switch (options.format) {
    case "json":
      return formatReportJson(full);
    case "table":
      return formatReportTable(full, { lang: options.lang ?? "en" });
    case "csv":
      return formatReportCsv(full);
    case "md":
      return formatReportMarkdown(full, { lang: options.lang ?? "en" });
    case "html":
      return renderHtmlReport(full, loadReportExamples(stores.db, full), { lang: options.lang ?? "en" });
  }
}

function reportOf(stores: ReturnType<typeof openStores>, run: string, options: RenderOptions): Promise<RunReport> {
  const record = stores.runs.resolve(run);
  requireIntactRun(stores, record.id);
  const passThreshold = (record.config as { passThreshold?: number }).passThreshold ?? 2;
  return buildRunReport(stores.db, record, {
    passThreshold,
    bootstrap: { resamples: options.resamples ?? 1000, seed: options.seed ?? 1, confidence: 0.95 },
    ...(options.groupBy === undefined ? {} : { groupBy: options.groupBy }),
    ...(options.threads === undefined ? {} : { threads: options.threads }),
    ...(options.useReviews === true ? { useReviews: true } : {}),
    ...(options.bonferroniFamily === undefined ? {} : { bonferroniFamily: options.bonferroniFamily }),
  });
}
