import { renameSync, writeFileSync } from "node:fs";
import type { Command } from "commander";
import { InvalidArgumentError, Option } from "commander";
import { loadConfig } from "../../config/index.js";
import {
  buildRunReport,
  compareRuns,
  DEFAULT_GROUP_BY,
  formatReportCsv,
  formatReportJson,
  formatReportMarkdown,
  formatReportTable,
  GROUPABLE_DIMENSIONS,
  type GroupableDimension,
  loadReportExamples,
  type RunReport,
  renderHtmlReport,
} from "../../report/index.js";
import { openStores, requireIntactRun, storePath } from "../open-store.js";
import type { Output } from "../output.js";

export const REPORT_FORMATS = ["table", "json", "csv", "md", "html"] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

interface ReportCommandOptions {
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
}

export function registerReport(program: Command, output: Output): void {
  program
    .command("report")
    .description(
      "a run's results: per-turn scores, Safety Pass Rate, grouped statistics with bootstrap CIs, tests, judge agreement",
    )
    .option("--run <run>", "run id, id prefix or 'latest'", "latest")
    .option("--compare <runs...>", "compare the run with these runs (ids, prefixes)")
    .addOption(new Option("--format <format>", "output format").choices([...REPORT_FORMATS]).default("table"))
    .option("--out <path>", "write the report to this file instead of standard output")
    .addOption(
      new Option("--lang <lang>", "language of the HTML and Markdown report's text")
        .choices(["ja", "en"])
        .default("en"),
    )
    .option("--resamples <n>", "bootstrap resamples for confidence intervals", positiveInteger, 1000)
    .option(
      "--group-by <dimensions>",
      `group the multi-turn statistics by these (comma-separated: ${GROUPABLE_DIMENSIONS.join(", ")})`,
      groupByList,
      [...DEFAULT_GROUP_BY],
    )
    .option("--seed <n>", "bootstrap random seed (same seed, same intervals)", nonNegativeInteger, 1)
    .option(
      "--threads <n>",
      "threads that load and summarise targets in parallel (default: one per core, at most 8, for runs over 300,000 turns; else 1)",
      positiveInteger,
    )
    .option(
      "--use-reviews",
      "score a reviewed multi-turn turn with its latest human review instead of the judges' mean (the judges' own scores and their agreement are unchanged)",
    )
    .option("--store <path>", "SQLite store")
    .option("-c, --config <file>", "take the store path from this config")
    .action(async (options: ReportCommandOptions) => {
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
    });
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
      return formatReportTable(full);
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
  });
}

function positiveInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 1) throw new InvalidArgumentError("expected a positive whole number");
  return parsed;
}

function nonNegativeInteger(value: string): number {
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) throw new InvalidArgumentError("expected a whole number ≥ 0");
  return parsed;
}

function groupByList(value: string): GroupableDimension[] {
  const dimensions = value
    .split(",")
    .map((entry) => entry.trim())
    .filter((entry) => entry !== "");
  for (const dimension of dimensions) {
    if (!(GROUPABLE_DIMENSIONS as readonly string[]).includes(dimension)) {
      throw new InvalidArgumentError(
        `"${dimension}" is not a dimension; use a comma-separated list of ${GROUPABLE_DIMENSIONS.join(", ")}`,
      );
    }
  }
  return dimensions as GroupableDimension[];
}
