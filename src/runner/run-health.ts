import type { CallOutcomeCount, CallRole } from "../store/index.js";

/** Default of the config's `maxErrorRate`: a model whose calls fail more often than this fails the run's check. */
export const DEFAULT_MAX_ERROR_RATE = 0.05;

/** One model's stored calls: how many, how many gave a result, and the failures by code. */
export interface ModelHealth {
  readonly role: CallRole;
  readonly modelId: string;
  readonly calls: number;
  readonly ok: number;
  readonly errors: number;
  readonly unscored: number;
  /** Failures by kind and code, most frequent first: e.g. `{ outcome: "error", code: "provider_http 404", calls: 12 }`. */
  readonly failures: readonly {
    readonly outcome: "error" | "unscored";
    readonly code: string;
    readonly calls: number;
  }[];
  /** (errors + unscored) / calls; 0 when the model made no call. */
  readonly failureShare: number;
}

/** Why a run fails its health check. */
export interface HealthProblem {
  readonly modelId: string;
  readonly role: CallRole;
  readonly kind: "no-success" | "failure-share";
  readonly message: string;
}

export interface RunHealth {
  readonly models: readonly ModelHealth[];
  readonly problems: readonly HealthProblem[];
  readonly maxErrorRate: number;
  /** Totals over every model. */
  readonly calls: number;
  readonly errors: number;
  readonly unscored: number;
}

/**
 * Judges a finished run from its stored calls: it fails when any model made calls and none gave a result (a target
 * with no answered turn, a judge with no scored verdict), or when a model's share of calls without a result (errors,
 * and unscored verdicts for judges) exceeds `maxErrorRate`. A model listed in `expected` with no stored call at all
 * (every conversation failed before reaching it) also fails.
 */
export function assessRunHealth(
  counts: readonly CallOutcomeCount[],
  maxErrorRate: number,
  expected: readonly { readonly role: CallRole; readonly modelId: string }[] = [],
): RunHealth {
  const byModel = new Map<string, { role: CallRole; modelId: string; rows: CallOutcomeCount[] }>();
  for (const model of expected) byModel.set(`${model.role}\u0000${model.modelId}`, { ...model, rows: [] });
  for (const row of counts) {
    const key = `${row.role}\u0000${row.modelId}`;
    const entry = byModel.get(key) ?? { role: row.role, modelId: row.modelId, rows: [] };
    entry.rows.push(row);
    byModel.set(key, entry);
  }
  const models = [...byModel.values()].map(({ role, modelId, rows }) => modelHealth(role, modelId, rows));
  const problems = models.flatMap((model) => problemsOf(model, maxErrorRate));
  return {
    models,
    problems,
    maxErrorRate,
    calls: sum(models.map((model) => model.calls)),
    errors: sum(models.map((model) => model.errors)),
    unscored: sum(models.map((model) => model.unscored)),
  };
}

function modelHealth(role: CallRole, modelId: string, rows: readonly CallOutcomeCount[]): ModelHealth {
  const of = (outcome: CallOutcomeCount["outcome"]): number =>
    sum(rows.filter((row) => row.outcome === outcome).map((row) => row.calls));
  const calls = sum(rows.map((row) => row.calls));
  const ok = of("ok");
  const errors = of("error");
  const unscored = of("unscored");
  const failures = new Map<string, { outcome: "error" | "unscored"; code: string; calls: number }>();
  for (const row of rows) {
    if (row.outcome === "ok") continue;
    const code = row.httpStatus === null ? row.code || "unknown" : `${row.code || "unknown"} ${row.httpStatus}`;
    const key = `${row.outcome}\u0000${code}`;
    const entry = failures.get(key) ?? { outcome: row.outcome, code, calls: 0 };
    entry.calls += row.calls;
    failures.set(key, entry);
  }
  const sorted = [...failures.values()].sort((a, b) => b.calls - a.calls || a.code.localeCompare(b.code));
  return {
    role,
    modelId,
    calls,
    ok,
    errors,
    unscored,
    failures: sorted,
    failureShare: calls === 0 ? 0 : (errors + unscored) / calls,
  };
}

function problemsOf(model: ModelHealth, maxErrorRate: number): HealthProblem[] {
  const what = `${model.role} "${model.modelId}"`;
  if (model.ok === 0) {
    const message =
      model.calls === 0
        ? `${what} made no call (every conversation failed before reaching it)`
        : `${what} had no successful call: ${model.calls} of ${model.calls} ${model.role === "judge" ? "gave no valid verdict" : "failed"} (${describeFailures(model)})`;
    return [{ modelId: model.modelId, role: model.role, kind: "no-success", message }];
  }
  if (model.failureShare > maxErrorRate) {
    const message = `${what}: ${percent(model.failureShare)} of its ${model.calls} calls gave no result (${describeFailures(model)}), more than maxErrorRate ${percent(maxErrorRate)}`;
    return [{ modelId: model.modelId, role: model.role, kind: "failure-share", message }];
  }
  return [];
}

/** "provider_http 404 ×12, no_json ×3 (unscored)" */
export function describeFailures(model: ModelHealth): string {
  return model.failures
    .map((failure) => `${failure.code} ×${failure.calls}${failure.outcome === "unscored" ? " (unscored)" : ""}`)
    .join(", ");
}

function percent(share: number): string {
  return `${(share * 100).toFixed(share < 0.1 ? 1 : 0)} %`;
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
