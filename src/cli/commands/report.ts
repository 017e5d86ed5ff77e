import type { Command } from "commander";
import { Option } from "commander";
import { loadConfig } from "../../config/index.js";
import { buildRunReport, formatReportTable } from "../../report/index.js";
import type { Output } from "../output.js";
import { openStores, storePath } from "../open-store.js";

interface ReportOptions {
  run: string;
  format: "json" | "table";
  store?: string;
  config?: string;
}

export function registerReport(program: Command, output: Output): void {
  program
    .command("report")
    .description("print a run's results: per-turn scores, Safety Pass Rate, unscored/error counts, judge agreement")
    .option("--run <run>", "run id, id prefix or 'latest'", "latest")
    .addOption(new Option("--format <format>", "output format").choices(["json", "table"]).default("table"))
    .option("--store <path>", "SQLite store")
    .option("-c, --config <file>", "take the store path from this config")
    .action((options: ReportOptions) => {
      const configStore = options.config === undefined ? undefined : loadConfig(options.config).config.store;
      const stores = openStores(storePath(options.store, configStore));
      try {
        output.out(renderReport(stores, options.run, options.format));
      } finally {
        stores.close();
      }
    });
}

/** The report of a run in the given format (shared with quickstart). */
export function renderReport(stores: ReturnType<typeof openStores>, run: string, format: "json" | "table"): string {
  const record = stores.runs.resolve(run);
  const passThreshold = (record.config as { passThreshold?: number }).passThreshold ?? 2;
  const report = buildRunReport(stores.db, stores.runs, record, { passThreshold });
  return format === "json" ? JSON.stringify(report, null, 2) : formatReportTable(report);
}
