import type { Location, Log, ReportingDescriptor, Result } from "sarif";
import { CHECK_KINDS, type CheckKind, type CheckResult, type Threshold } from "./check.js";

const RULES: Record<CheckKind, string> = {
  "min-pass-rate": "A target's Safety Pass Rate is below the minimum (check.minPassRate / --min-pass-rate).",
  "max-mean-drop":
    "A target's mean conversation score fell from the baseline run by more than the maximum (check.maxMeanDrop / --max-mean-drop).",
  "max-error-rate":
    "A target's share of calls without a result is above the maximum (check.maxErrorRate / --max-error-rate).",
};

export interface SarifOptions {
  /** The tool version (the package's). */
  readonly version: string;
  /** The run's location when a threshold came from a flag: e.g. the store path (SARIF needs an artifact). */
  readonly runUri: string;
}

/**
 * The check's failures as SARIF 2.1.0 (decision 0025): one result per failing threshold and target, ruleId the check
 * kind, level error. The location is the config file's line of the threshold when it came from the config, else the
 * run (`runUri`, with the run id in the message). Types from @types/sarif.
 */
export function checkSarifLog(result: CheckResult, options: SarifOptions): Log {
  const rules: ReportingDescriptor[] = CHECK_KINDS.map((kind) => ({
    id: kind,
    shortDescription: { text: RULES[kind] },
    defaultConfiguration: { level: "error" },
  }));
  const results: Result[] = result.findings
    .filter((finding) => !finding.passed)
    .map((finding) => ({
      ruleId: finding.kind,
      ruleIndex: CHECK_KINDS.indexOf(finding.kind),
      level: "error",
      message: {
        text: `run ${result.runId}, target ${finding.targetId}: ${finding.kind} value ${finding.value === null ? "not measurable" : finding.value}, threshold ${finding.threshold} (${finding.detail})`,
      },
      locations: [locationOf(thresholdOf(result, finding.kind), options.runUri)],
    }));
  return {
    version: "2.1.0",
    $schema: "https://json.schemastore.org/sarif-2.1.0.json",
    runs: [
      {
        tool: {
          driver: {
            name: "medsafety",
            version: options.version,
            rules,
          },
        },
        results,
      },
    ],
  };
}

function thresholdOf(result: CheckResult, kind: CheckKind): Threshold | undefined {
  if (kind === "min-pass-rate") return result.thresholds.minPassRate;
  if (kind === "max-mean-drop") return result.thresholds.maxMeanDrop;
  return result.thresholds.maxErrorRate;
}

function locationOf(threshold: Threshold | undefined, runUri: string): Location {
  if (threshold?.source.kind === "config") {
    return {
      physicalLocation: {
        artifactLocation: { uri: threshold.source.file },
        ...(threshold.source.line === null ? {} : { region: { startLine: threshold.source.line } }),
      },
    };
  }
  return { physicalLocation: { artifactLocation: { uri: runUri } } };
}
