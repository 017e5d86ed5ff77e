import type { ModelSettings } from "../../providers/index.js";
import {
  type Db,
  type ObservedGenerationCalls,
  type ObservedRunCalls,
  observedGenerationCalls,
  observedRunCalls,
  type RunRepository,
} from "../../store/index.js";
import type { EstimateRole, ExpectedOutput } from "./planning-model.js";

/** Means of earlier calls, by model spec: what estimates use for output length and latency when a store has them. */
export interface ObservedMeans {
  /** The mean of earlier calls of `spec` in `role` (runs: target, judge, attacker; generation: by task kind). */
  mean(role: EstimateRole, spec: string): { readonly outputTokens: number; readonly latencyMs?: number } | undefined;
}

/** No earlier calls (no store yet). */
export const NO_OBSERVATIONS: ObservedMeans = { mean: () => undefined };

/** A judge's verdict (rationale + score, and a label) is short: the tokens assumed when none was observed. */
export const VERDICT_TOKENS = 150;
/** The tokens assumed for a binding without `maxTokens` and without earlier calls. */
export const ASSUMED_OUTPUT_TOKENS = 512;

/** The roles generation tasks play, by task kind (`generation_tasks.kind`). */
const ROLE_OF_KIND: Readonly<Record<string, EstimateRole>> = {
  "seed-batch": "generator",
  conversation: "attacker",
  "refusal-answer": "refuser",
  "refusal-verdict": "refusal-judge",
  translation: "translator",
  "back-translation": "translator",
  "discovery-attack": "attacker",
  "discovery-target": "target",
  "discovery-score": "scorer",
  "discovery-summary": "summarizer",
};

interface Sum {
  calls: number;
  outputTokens: number;
  latencyMs: number;
  timedCalls: number;
}

/**
 * Reads the means of every stored run's successful, uncached calls per model spec (a binding id is mapped to its
 * spec through that run's frozen config) and of every stored generation task per spec and role. Reads only.
 */
export function observedMeans(db: Db, runs: RunRepository): ObservedMeans {
  const sums = new Map<string, Sum>();
  const add = (role: string, spec: string, calls: number, outputTokens: number, latencyMs: number): void => {
    const key = `${role}\u0000${spec}`;
    const sum = sums.get(key) ?? { calls: 0, outputTokens: 0, latencyMs: 0, timedCalls: 0 };
    sum.calls += calls;
    sum.outputTokens += outputTokens;
    sum.latencyMs += latencyMs;
    if (latencyMs > 0) sum.timedCalls += calls;
    sums.set(key, sum);
  };
  const specs = new Map<string, Map<string, string>>();
  for (const row of observedRunCalls(db)) {
    const spec = specOf(specs, runs, row);
    if (spec !== undefined) add(row.role, spec, row.calls, row.outputTokens, row.latencyMs);
  }
  for (const row of observedGenerationCalls(db)) addGeneration(row, add);
  return {
    mean: (role, spec) => {
      const sum = sums.get(`${role}\u0000${spec}`);
      if (sum === undefined || sum.calls === 0) return undefined;
      return {
        outputTokens: Math.round(sum.outputTokens / sum.calls),
        ...(sum.timedCalls === 0 ? {} : { latencyMs: sum.latencyMs / sum.timedCalls }),
      };
    },
  };
}

function addGeneration(
  row: ObservedGenerationCalls,
  add: (role: string, spec: string, calls: number, outputTokens: number, latencyMs: number) => void,
): void {
  const role = ROLE_OF_KIND[row.kind] ?? row.kind;
  add(role, row.modelSpec, row.calls, row.outputTokens, row.latencyMs);
}

/** The spec of a run's binding, from the run's frozen config (read once per run). */
function specOf(
  specs: Map<string, Map<string, string>>,
  runs: RunRepository,
  row: ObservedRunCalls,
): string | undefined {
  let byId = specs.get(row.runId);
  if (byId === undefined) {
    byId = new Map();
    const config = runs.get(row.runId)?.config;
    if (typeof config === "object" && config !== null) {
      const record = config as Record<string, unknown>;
      const roles: [string, unknown[]][] = [
        ["target", asArray(record["targets"])],
        ["judge", asArray(record["judges"])],
        ["attacker", record["attacker"] === undefined ? [] : [record["attacker"]]],
      ];
      for (const [role, bindings] of roles) {
        for (const binding of bindings) {
          const { id, model } = binding as { id?: unknown; model?: unknown };
          if (typeof id === "string" && typeof model === "string") byId.set(`${role}:${id}`, model);
        }
      }
    }
    specs.set(row.runId, byId);
  }
  return byId.get(`${row.role}:${row.modelId}`);
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/**
 * The expected output of a binding's calls: the observed mean of earlier calls of the same spec in the same role,
 * else its `maxTokens` (an upper bound), else a verdict's typical length for judges, else an assumed length.
 */
export function expectedOutput(role: EstimateRole, settings: ModelSettings, observed: ObservedMeans): ExpectedOutput {
  const mean = observed.mean(role, settings.model);
  if (mean !== undefined)
    return {
      tokens: mean.outputTokens,
      source: "observed",
      ...(mean.latencyMs === undefined ? {} : { latencyMs: mean.latencyMs }),
    };
  if (role === "judge" || role === "refusal-judge" || role === "scorer")
    return { tokens: Math.min(VERDICT_TOKENS, settings.maxTokens ?? VERDICT_TOKENS), source: "verdict" };
  if (settings.maxTokens !== undefined) return { tokens: settings.maxTokens, source: "maxTokens" };
  return { tokens: ASSUMED_OUTPUT_TOKENS, source: "assumed" };
}
