import { bindModels, type Config, configSchema } from "../config/index.js";
import { hashValue, InputError, newRunId, packageVersion, withSecondError } from "../core/index.js";
import { openBenchmarks } from "../datasets/index.js";
import { RubricSet } from "../judges/index.js";
import { checkReachable } from "../providers/index.js";
import {
  type AdaptiveMode,
  assessRunHealth,
  createAdaptiveMode,
  createRun,
  executeRun,
  RunEvents,
  type RunHealth,
  replayAttack,
} from "../runner/index.js";
import { callOutcomes, type RubricReference } from "../store/index.js";
import { listenForInterrupt } from "./interrupt.js";
import { openStores } from "./open-store.js";
import type { Output } from "./output.js";
import { attachProgressBar, attachProgressLines } from "./progress.js";
import { type HeldLease, holdRunLease } from "./run-lease.js";

export interface SessionOptions {
  readonly storePath: string;
  readonly cache: boolean;
  /** Show progress: a bar when stderr is a terminal, else a plain line every `progressIntervalMs`. */
  readonly progress: boolean;
  readonly progressIntervalMs?: number;
  readonly preflight: boolean;
  readonly concurrency?: number;
  /** Resume this run instead of starting one. */
  readonly resumeRunId?: string;
  readonly retryErrors: boolean;
  readonly configPath?: string;
  readonly lineOf?: (path: readonly (string | number)[]) => number | undefined;
}

export interface SessionResult {
  readonly runId: string;
  readonly status: "success" | "cancelled";
  /** The run's stored calls by model and outcome, and whether it passes the end-of-run check. */
  readonly health: RunHealth;
}

/** Default interval of plain progress lines when stderr is not a terminal. */
export const DEFAULT_PROGRESS_INTERVAL_MS = 30_000;

/**
 * Starts (or resumes) a run and drives it to the end: binds models, checks servers are reachable, records the run,
 * holds the run's lease (one process per run), runs it with progress, turns Ctrl-C into `cancelled` after in-flight
 * calls settle, and checks the run's stored calls at the end (a model with no successful call, or more failures
 * than `maxErrorRate`, records the run as `error`; the caller exits non-zero).
 */
export async function runSession(
  config: Config | undefined,
  options: SessionOptions,
  output: Output,
): Promise<SessionResult> {
  const stores = openStores(options.storePath);
  const interrupt = listenForInterrupt(output, "recorded");
  const stop = new AbortController();
  const forwardStop = (): void => stop.abort();
  interrupt.stop.addEventListener("abort", forwardStop, { once: true });
  let bound: ReturnType<typeof bindModels> | undefined;
  let lease: HeldLease | undefined;
  let failure: unknown;
  try {
    const resumed = options.resumeRunId === undefined ? undefined : stores.runs.resolve(options.resumeRunId);
    const onLost = (): void => {
      output.err(
        `medsafety: this process lost the lease of run ${resumed?.id ?? ""} to another process (its heartbeat was late); stopping: calls in flight settle and are recorded.`,
      );
      stop.abort();
    };
    if (resumed !== undefined) lease = holdRunLease(stores.db, resumed.id, "run --resume", { onLost });
    const runConfig = resumed === undefined ? required(config) : configSchema.parse(resumed.config);
    requireRunRoles(runConfig, options);
    bound = bindModels(runConfig, {
      env: process.env,
      ...(options.cache && runConfig.cache ? { cache: stores.cache } : {}),
      ...(options.configPath === undefined ? {} : { configPath: options.configPath }),
      ...(options.lineOf === undefined ? {} : { lineOf: options.lineOf }),
    });
    if (options.preflight) await preflight(runConfig, options);
    const adaptive = adaptiveModeOf(runConfig, bound);
    const runId = resumed?.id ?? newRunId();
    const rubricSet = new RubricSet();
    if (resumed === undefined) {
      const overrides: RubricReference[] = bound.judges.flatMap((judge) =>
        judge.rubric === undefined ? [] : [RubricSet.reference(judge.rubric)],
      );
      const sources = benchmarkSources(runConfig);
      await createRun(stores, {
        runId,
        config: runConfig,
        configHash: hashValue(runConfig),
        datasetSource: sources.join(", "),
        items: openBenchmarks(sources, {
          env: process.env,
          ...(runConfig.medsafetybenchDir === undefined ? {} : { medsafetybenchDir: runConfig.medsafetybenchDir }),
        }),
        rubrics: overrides,
        packageVersion: packageVersion(),
        rubricFor: (rubric) => RubricSet.reference(rubricSet.get(rubric)),
        itemRubricsUsed: bound.judges.some((judge) => judge.rubric === undefined),
        ...(runConfig.languages === undefined ? {} : { languages: runConfig.languages }),
        ...(runConfig.limit === undefined ? {} : { limit: runConfig.limit }),
        ...(adaptive === undefined ? {} : { turnCountOf: adaptive.turnCountOf, checkItem: adaptive.checkItem }),
      });
      lease = holdRunLease(stores.db, runId, "run", { onLost });
    } else if (lease?.tookOver !== undefined) {
      output.err(
        `medsafety: took over run ${runId} from pid ${lease.tookOver.pid} on ${lease.tookOver.host}, which stopped without releasing it (last heartbeat ${lease.tookOver.heartbeatAt}).`,
      );
    }
    output.out(`run id: ${runId}`);
    const events = new RunEvents();
    const stopProgress = !options.progress
      ? () => undefined
      : output.isTTY
        ? attachProgressBar(events)
        : attachProgressLines(events, {
            write: (line) => output.err(line),
            intervalMs: options.progressIntervalMs ?? DEFAULT_PROGRESS_INTERVAL_MS,
          });
    let status: "success" | "cancelled";
    try {
      status = await executeRun(stores, {
        runId,
        targets: bound.targets,
        judges: bound.judges,
        attack: adaptive?.attack ?? replayAttack,
        rubricFor: (rubric) => rubricSet.get(rubric),
        ...(adaptive === undefined ? {} : { adaptive: adaptive.adaptive }),
        sink: stores.results,
        events,
        concurrency: options.concurrency ?? runConfig.concurrency,
        resume: resumed !== undefined,
        retryErrors: options.retryErrors,
        stopSignal: stop.signal,
        abortSignal: interrupt.abort,
        now: () => new Date(),
      });
    } finally {
      stopProgress();
    }
    const health = assessRunHealth(callOutcomes(stores.db, runId), runConfig.maxErrorRate, expectedModels(runConfig));
    if (status === "success" && health.problems.length > 0) {
      stores.runs.setStatus(
        runId,
        "error",
        `The run failed its end-of-run check: ${health.problems.map((problem) => problem.message).join("; ")}.`,
      );
    }
    return { runId, status, health };
  } catch (error) {
    failure = error;
    throw error;
  } finally {
    interrupt.stop.removeEventListener("abort", forwardStop);
    interrupt.dispose();
    await cleanUp(failure, [() => lease?.release(), async () => bound?.close(), () => stores.close()]);
  }
}

/**
 * Runs every clean-up step even when one fails; a clean-up failure is thrown only when nothing else is, and is
 * otherwise added to the error already on its way, so the first error is never replaced.
 */
async function cleanUp(failure: unknown, steps: readonly (() => unknown)[]): Promise<void> {
  let reported = failure;
  for (const step of steps) {
    try {
      await step();
    } catch (error) {
      reported = reported === undefined ? error : withSecondError(reported, error, "cleaning up after the run");
    }
  }
  if (reported !== failure) throw reported;
}

/** Every model the run's config names, by role: each should make calls and succeed at least once. */
function expectedModels(config: Config): { role: "target" | "judge" | "attacker"; modelId: string }[] {
  return [
    ...config.targets.map((target) => ({ role: "target" as const, modelId: target.id })),
    ...config.judges.map((judge) => ({ role: "judge" as const, modelId: judge.id })),
  ];
}

function required(config: Config | undefined): Config {
  if (config === undefined) throw new Error("runSession: a config is needed to start a run");
  return config;
}

/** Adaptive mode's attack and checks when the config asks for it (the schema guarantees an attacker then). */
function adaptiveModeOf(config: Config, bound: ReturnType<typeof bindModels>): AdaptiveMode | undefined {
  if (config.mode !== "adaptive") return undefined;
  if (bound.attacker === undefined) throw new Error("runSession: mode adaptive without a bound attacker");
  return createAdaptiveMode({
    attacker: bound.attacker,
    ...(config.maxTurns === undefined ? {} : { maxTurns: config.maxTurns }),
    ...(config.stopWhenScoreAtMost === undefined ? {} : { stopWhenScoreAtMost: config.stopWhenScoreAtMost }),
  });
}

function benchmarkSources(config: Config): string[] {
  return typeof config.benchmark === "string" ? [config.benchmark] : [...config.benchmark];
}

/** Fails fast, before a run is recorded, when a configured server does not answer at all. */
async function preflight(config: Config, options: SessionOptions): Promise<void> {
  const bindings = [
    ...config.targets.map((settings, index) => ({
      settings,
      path: ["targets", index, "baseURL"] as (string | number)[],
    })),
    ...config.judges.map((settings, index) => ({
      settings,
      path: ["judges", index, "baseURL"] as (string | number)[],
    })),
    ...(config.attacker === undefined
      ? []
      : [{ settings: config.attacker, path: ["attacker", "baseURL"] as (string | number)[] }]),
  ];
  const checked = new Set<string>();
  for (const { settings, path } of bindings) {
    if (settings.baseURL === undefined || checked.has(settings.baseURL)) continue;
    checked.add(settings.baseURL);
    const line = options.lineOf?.(path);
    await checkReachable(settings.baseURL, {
      modelId: settings.id,
      ...(options.configPath === undefined ? {} : { file: options.configPath }),
      ...(line === undefined ? {} : { line }),
    });
  }
}

/** A config may leave out targets and judges (to build a benchmark only); a run needs both. */
function requireRunRoles(config: Config, options: Pick<SessionOptions, "configPath" | "lineOf">): void {
  const missing = config.targets.length === 0 ? "targets" : config.judges.length === 0 ? "judges" : undefined;
  if (missing === undefined) return;
  const line = options.lineOf?.([missing]);
  throw new InputError(
    "config_invalid",
    { file: options.configPath ?? "the config", ...(line === undefined ? {} : { line }), field: missing },
    missing === "targets"
      ? "medsafety run needs at least one target model and the config lists none"
      : "medsafety run needs at least one judge and the config lists none (the protocol uses two)",
    `Add a \`${missing}:\` list (see \`medsafety init\` for an example, \`medsafety schema\` for the fields)`,
  );
}
