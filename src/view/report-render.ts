/** The report of a run rendered as the HTML report does, in both languages, split into its sections. */
import { buildRunReport, loadReportExamples, renderHtmlReport } from "../report/index.js";
import { type Db, openStoreReadOnly, RunRepository } from "../store/index.js";
import type { Lang } from "./messages.js";

export interface ReportJob {
  readonly storePath: string;
  readonly runId: string;
}

/** One section of the HTML report: its anchor id and its HTML (already escaped by the report's renderer). */
export interface ReportSection {
  readonly id: string;
  readonly html: string;
}

export type ReportPages = Readonly<Record<Lang, readonly ReportSection[]>>;

/** Builds and renders the report with a connection of its own (read-only), closed afterwards. */
export async function renderRunReport(job: ReportJob, db?: Db): Promise<ReportPages> {
  const connection = db ?? openStoreReadOnly(job.storePath);
  try {
    const run = new RunRepository(connection).resolve(job.runId);
    const passThreshold = (run.config as { passThreshold?: number }).passThreshold ?? 2;
    const report = await buildRunReport(connection, run, { passThreshold });
    const examples = loadReportExamples(connection, report);
    const en = await renderHtmlReport(report, examples, { lang: "en" });
    const ja = await renderHtmlReport(report, examples, { lang: "ja" });
    return { en: sectionsOf(en), ja: sectionsOf(ja) };
  } finally {
    if (db === undefined) connection.close();
  }
}

const SECTION = /<section class="report-section" id="([^"]+)"[^>]*>([\s\S]*?)<\/section>/g;

/** The report document's sections (the renderer writes each as one `<section class="report-section">`). */
export function sectionsOf(document: string): ReportSection[] {
  return [...document.matchAll(SECTION)].map((match) => ({ id: match[1] ?? "", html: match[2] ?? "" }));
}
