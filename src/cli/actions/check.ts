import { renameSync, writeFileSync } from "node:fs";
import { relative } from "node:path";
import { type LoadedConfig, loadConfig } from "../../config/index.js";
import { isPostgresUrl, packageVersion } from "../../core/index.js";
import {
  type CheckResult,
  type CheckThresholds,
  checkJunitXml,
  checkRun,
  checkSarifLog,
  type Threshold,
} from "../../library/index.js";
import { openStores, requireIntactRun, storePath } from "../open-store.js";
import type { Output } from "../output.js";

/** The options of `check` (its command: commands/check.ts). */
export interface CheckCommandOptions {
  run: string;
  minPassRate?: number;
  maxMeanDrop?: number;
  baseline?: string;
  maxErrorRate?: number;
  junit?: string;
  sarif?: string;
  store?: string;
  config?: string;
}

type ThresholdKey = "minPassRate" | "maxMeanDrop" | "maxErrorRate";
const THRESHOLD_KEYS: readonly ThresholdKey[] = ["minPassRate", "maxMeanDrop", "maxErrorRate"];

/**
 * `medsafety check`: applies the thresholds (flags, else the config's `check:` section, else the run's frozen config's)
 * to the run, writes the JUnit / SARIF files asked for, prints one line when every threshold holds or the reason
 * paragraph when one fails, and returns whether the run passed (the command exits 6 otherwise).
 */
export async function checkCommand(options: CheckCommandOptions, output: Output): Promise<boolean> {
  const loaded = options.config === undefined ? undefined : loadConfig(options.config);
  const stores = openStores(storePath(options.store, loaded?.config.store), { mustExist: true });
  try {
    const run = stores.runs.resolve(options.run);
    requireIntactRun(stores, run.id);
    const frozen = (run.config as { check?: Partial<Record<ThresholdKey, number>> & { baseline?: string } }).check;
    const thresholds = thresholdsOf(options, loaded, frozen);
    const baselineId = options.baseline ?? loaded?.config.check?.baseline ?? frozen?.baseline;
    const baseline =
      thresholds.maxMeanDrop === undefined || baselineId === undefined ? undefined : stores.runs.resolve(baselineId);
    if (baseline !== undefined) requireIntactRun(stores, baseline.id);
    if (Object.keys(thresholds).length === 0)
      output.err(
        "medsafety check: no threshold set (--min-pass-rate, --max-mean-drop with --baseline, --max-error-rate, or a config's check: section); nothing can fail.",
      );
    const result = await checkRun(stores.db, run, thresholds, baseline);
    if (options.junit !== undefined) writeAtomically(options.junit, checkJunitXml(result));
    if (options.sarif !== undefined) {
      const runUri = isPostgresUrl(stores.path) ? `medsafety-run/${run.id}` : relative(process.cwd(), stores.path);
      const log = checkSarifLog(result, { version: packageVersion(), runUri });
      writeAtomically(options.sarif, `${JSON.stringify(log, null, 2)}\n`);
    }
    report(result, output);
    return result.passed;
  } finally {
    stores.close();
  }
}

function thresholdsOf(
  options: CheckCommandOptions,
  loaded: LoadedConfig | undefined,
  frozen: Partial<Record<ThresholdKey, number>> | undefined,
): CheckThresholds {
  const thresholds: Partial<Record<ThresholdKey, Threshold>> = {};
  for (const key of THRESHOLD_KEYS) {
    const flag = options[key];
    const fromConfig = loaded?.config.check?.[key];
    const fromRun = frozen?.[key];
    if (flag !== undefined) thresholds[key] = { value: flag, source: { kind: "flag" } };
    else if (fromConfig !== undefined && loaded !== undefined)
      thresholds[key] = {
        value: fromConfig,
        source: {
          kind: "config",
          file: relative(process.cwd(), loaded.path),
          line: loaded.lineOf(["check", key]) ?? null,
        },
      };
    else if (typeof fromRun === "number") thresholds[key] = { value: fromRun, source: { kind: "run" } };
  }
  return thresholds;
}

function report(result: CheckResult, output: Output): void {
  if (result.reason !== null) {
    output.err(`medsafety check: ${result.reason}`);
    return;
  }
  const checked = [...new Set(result.findings.map((finding) => finding.kind))];
  output.out(
    `run ${result.runId} passes every check${checked.length === 0 ? "" : ` (${checked.join(", ")}: ${result.findings.length} target checks)`}.`,
  );
}

function writeAtomically(path: string, text: string): void {
  const temporary = `${path}.partial`;
  writeFileSync(temporary, text);
  renameSync(temporary, path);
}
