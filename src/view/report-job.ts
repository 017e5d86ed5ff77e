/**
 * Computes a run's report in a worker thread so the viewer keeps answering meanwhile (a job of the core worker-jobs
 * harness, see report-cache.ts): opens the store read-only, builds the report (which may start its own report
 * threads), renders the HTML report in English and Japanese, and answers both.
 */
import { serveWorkerJobs } from "../core/index.js";
import { type ReportJob, type ReportPages, renderRunReport } from "./report-render.js";

serveWorkerJobs<ReportJob, ReportPages>((job) => renderRunReport(job));
