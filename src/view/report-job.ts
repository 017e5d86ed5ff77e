/**
 * Computes a run's report in a worker thread so the viewer keeps answering meanwhile: opens the store read-only,
 * builds the report (which may start its own report threads), renders the HTML report in English and Japanese,
 * and posts both back.
 */
import { parentPort, workerData } from "node:worker_threads";
import { type ReportJob, renderRunReport } from "./report-render.js";

const job = workerData as ReportJob;
try {
  parentPort?.postMessage({ type: "done", pages: await renderRunReport(job) });
} catch (error) {
  parentPort?.postMessage({ type: "failed", message: error instanceof Error ? error.message : String(error) });
}
