import pLimit, { type LimitFunction } from "p-limit";
import {
  addUsage,
  type ChatMessage,
  errorFieldsOf,
  hashValue,
  isCancellation,
  MedsafetyError,
  type Usage,
  ZERO_USAGE,
} from "../../core/index.js";
import type { ChatRequest, ChatResponse } from "../../providers/index.js";
import type { GenerationRepository, GenerationTaskRow, GenerationTaskStatus } from "../../store/index.js";
import type { GenerationEvents } from "./generation-events.js";
import { type GenerationModel, modelIdentity } from "./generation-model.js";
import type { ParseOutcome } from "./structured-output.js";
import { BUDGET_STOP_REASON, type GenerationBudget, TaskBudget } from "./task-budget.js";

/** One model call whose answer is validated and stored under a deterministic key. */
export interface GenerationTask<T> {
  /** Deterministic key: see `generationTaskKey`. */
  readonly key: string;
  readonly kind: string;
  readonly subject: string;
  readonly model: GenerationModel;
  readonly promptHash: string;
  /** The inputs, stored for audits (JSON). */
  readonly input: unknown;
  readonly request: ChatRequest;
  /** Validates a raw answer. Also re-applied to a stored success when it is reused. */
  parse(text: string): ParseOutcome<T>;
  /** The user message that asks again after an invalid answer; without it the same request is sent again. */
  repair?(problem: string): string;
}

export type TaskOutcome<T> =
  | { readonly status: "success"; readonly value: T; readonly reused: boolean; readonly rawOutput: string }
  | { readonly status: "failed"; readonly problem: string; readonly rawOutput: string }
  | {
      readonly status: "error";
      readonly errorCode: string;
      readonly errorMessage: string;
      readonly httpStatus?: number;
    };

/** A task that did not produce output, as command summaries list it (every one is in the store). */
export interface GenerationFailure {
  readonly subject: string;
  readonly modelId: string;
  readonly status: "failed" | "error";
  readonly message: string;
}

/** Counts of one task kind in a job. */
export interface TaskKindSummary {
  generated: number;
  reused: number;
  failed: number;
  errors: number;
}

export interface GenerationJobSummary {
  readonly byKind: Readonly<Record<string, TaskKindSummary>>;
  readonly usage: Usage;
  /** USD spent by the job's priced tasks (reused tasks cost 0). */
  readonly costUsd: number;
  /** Tasks that called a model whose price is known (`costUsd` counts them). */
  readonly pricedTasks: number;
  /** Tasks that called an unpriced model: their cost is unknown, never counted as 0. */
  readonly unpricedTasks: number;
}

export interface GenerationJobOptions {
  readonly runId: string;
  readonly store: GenerationRepository;
  readonly events: GenerationEvents;
  /** Most model calls in flight over the whole job. */
  readonly concurrency: number;
  /** Calls per task when answers fail validation (the first included); default 3. */
  readonly maxAttempts?: number;
  /** Once aborted, no new task starts (calls in flight settle and are stored). */
  readonly stopSignal?: AbortSignal;
  /** Aborts calls in flight (a second Ctrl-C). */
  readonly abortSignal?: AbortSignal;
  readonly now?: () => Date;
  /** `--max-cost`: no task starts that could pass it; the job stops with reason `budget` (task-budget.ts). */
  readonly budget?: GenerationBudget;
}

/**
 * Deterministic task key: a hash of the task kind, its inputs, the prompt template's hash and the model's identity
 * (binding id, spec, sampling). Concurrency, timeouts and retries are left out: they do not change the output.
 */
export function generationTaskKey(kind: string, inputs: unknown, promptHash: string, model: GenerationModel): string {
  return hashValue(["generation", kind, inputs, promptHash, modelIdentity(model)], 32);
}

/**
 * Runs generation tasks with bounded concurrency. A key already stored as `success` is reused without a call;
 * `failed` and `error` keys are called again. Provider failures are retried by the model's retry middleware and end
 * as `error`; answers that fail validation are asked again up to `maxAttempts` calls, then stored as `failed` with
 * the raw text and the problem. Every outcome is stored, counted and emitted; nothing is dropped.
 */
export class GenerationJob {
  private readonly limit: LimitFunction;
  private readonly byKind = new Map<string, TaskKindSummary>();
  private usage: Usage = ZERO_USAGE;
  private readonly cost = { usd: 0, priced: 0, unpriced: 0 };

  private readonly budget: TaskBudget | undefined;

  constructor(private readonly options: GenerationJobOptions) {
    this.limit = pLimit(options.concurrency);
    this.budget = options.budget === undefined ? undefined : new TaskBudget(options.budget);
  }

  /** Stopped by the stop signal or by the budget: no new task starts. */
  get stopped(): boolean {
    return this.options.stopSignal?.aborted === true || this.budget?.refusal !== undefined;
  }

  /** Why the job stopped starting tasks when it was not the stop signal: `budget`. */
  get stopReason(): typeof BUDGET_STOP_REASON | undefined {
    return this.budget?.refusal === undefined ? undefined : BUDGET_STOP_REASON;
  }

  /** What the budget saw: the money spent (reused successes at what they cost), and its stop line once it stopped. */
  budgetState(): { readonly spentUsd: number; readonly stopMessage?: string } | undefined {
    const budget = this.budget;
    if (budget === undefined) return undefined;
    return {
      spentUsd: budget.spentUsd,
      ...(budget.refusal === undefined ? {} : { stopMessage: budget.stopMessage() }),
    };
  }

  async run<T>(task: GenerationTask<T>): Promise<TaskOutcome<T>> {
    const stored = this.options.store.lookup(task.key);
    if (stored?.status === "success" && stored.rawOutput !== null) {
      const parsed = task.parse(stored.rawOutput);
      if (parsed.ok) {
        this.count(task.kind, "success", true, ZERO_USAGE, stored.attempts, 0);
        this.budget?.reused(stored.costUsd);
        return { status: "success", value: parsed.value, reused: true, rawOutput: stored.rawOutput };
      }
    }
    return this.limit(() => this.budgeted(task));
  }

  /** Runs `task` when the budget (if any) lets it start; a refused task stops the job (`cancelled`, reason budget). */
  private async budgeted<T>(task: GenerationTask<T>): Promise<TaskOutcome<T>> {
    const budget = this.budget;
    if (budget === undefined || this.stopped) return this.call(task);
    if (!budget.tryStart(task)) throw new MedsafetyError("cancelled", budget.stopMessage());
    let succeeded = false;
    try {
      const outcome = await this.call(task);
      succeeded = outcome.status === "success";
      return outcome;
    } finally {
      budget.finish(task, succeeded);
    }
  }

  summary(): GenerationJobSummary {
    return {
      byKind: Object.fromEntries([...this.byKind].map(([kind, counts]) => [kind, { ...counts }])),
      usage: this.usage,
      costUsd: this.cost.usd,
      pricedTasks: this.cost.priced,
      unpricedTasks: this.cost.unpriced,
    };
  }

  private async call<T>(task: GenerationTask<T>): Promise<TaskOutcome<T>> {
    if (this.stopped) throw new MedsafetyError("cancelled", "Generation stopped before this task started.");
    const started = this.now();
    let attempts = 0;
    let usage: Usage = ZERO_USAGE;
    let latencyMs = 0;
    // The task's price over its calls: unknown (null) once one call is unpriced; batched if a call went by batch.
    let costUsd: number | null = 0;
    let batched = false;
    let messages: readonly ChatMessage[] = task.request.messages;
    const onRetry = (): void => {
      attempts += 1;
      this.options.events.emit("task-retry", { kind: task.kind, reason: "provider", attempt: attempts });
    };
    const maxAttempts = this.options.maxAttempts ?? 3;
    for (let validationAttempt = 1; ; validationAttempt += 1) {
      attempts += 1;
      let response: ChatResponse;
      try {
        response = await task.model.model.generate(
          { ...task.request, messages },
          { onRetry, ...(this.options.abortSignal === undefined ? {} : { signal: this.options.abortSignal }) },
        );
      } catch (error) {
        if (isCancellation(error)) throw error;
        const fields = errorFieldsOf(error);
        const errorCode = fields.code;
        const httpStatus = fields.status ?? undefined;
        const message = `${fields.message}${httpStatus === undefined ? "" : ` (HTTP ${httpStatus})`}`;
        this.save(task, started, {
          status: "error",
          rawOutput: null,
          outputJson: null,
          errorCode,
          errorMessage: message,
          attempts,
          usage,
          latencyMs,
          costUsd,
          batched,
        });
        return {
          status: "error",
          errorCode,
          errorMessage: message,
          ...(httpStatus === undefined ? {} : { httpStatus }),
        };
      }
      usage = addUsage(usage, response.usage);
      latencyMs += response.latencyMs;
      costUsd = costUsd === null || response.costUsd == null ? null : costUsd + response.costUsd;
      this.budget?.charge(task.key, response.costUsd);
      batched ||= response.batched === true;
      const parsed = task.parse(response.text);
      if (parsed.ok) {
        this.save(task, started, {
          status: "success",
          rawOutput: response.text,
          outputJson: JSON.stringify(parsed.value) ?? "null",
          errorCode: null,
          errorMessage: null,
          attempts,
          usage,
          latencyMs,
          costUsd,
          batched,
        });
        return { status: "success", value: parsed.value, reused: false, rawOutput: response.text };
      }
      if (validationAttempt >= maxAttempts || this.options.abortSignal?.aborted === true) {
        const problem = `invalid output after ${validationAttempt} attempt(s): ${parsed.problem}`;
        this.save(task, started, {
          status: "failed",
          rawOutput: response.text,
          outputJson: null,
          errorCode: "invalid_output",
          errorMessage: problem,
          attempts,
          usage,
          latencyMs,
          costUsd,
          batched,
        });
        return { status: "failed", problem, rawOutput: response.text };
      }
      this.options.events.emit("task-retry", { kind: task.kind, reason: "invalid-output", attempt: validationAttempt });
      const repair = task.repair?.(parsed.problem);
      if (repair !== undefined)
        messages = [
          ...task.request.messages,
          { role: "assistant", content: response.text },
          { role: "user", content: repair },
        ];
    }
  }

  private save<T>(
    task: GenerationTask<T>,
    started: Date,
    result: Pick<
      GenerationTaskRow,
      "status" | "rawOutput" | "outputJson" | "errorCode" | "errorMessage" | "attempts" | "latencyMs"
    > & { usage: Usage; costUsd: number | null; batched: boolean },
  ): void {
    const { usage, ...fields } = result;
    this.options.store.save({
      key: task.key,
      runId: this.options.runId,
      kind: task.kind,
      subject: task.subject,
      modelId: task.model.id,
      modelSpec: task.model.spec,
      promptHash: task.promptHash,
      inputJson: JSON.stringify(task.input) ?? "null",
      ...fields,
      inputTokens: usage.inputTokens,
      outputTokens: usage.outputTokens,
      cachedInputTokens: usage.cachedInputTokens ?? 0,
      cacheWriteTokens: usage.cacheWriteTokens ?? 0,
      createdAt: started.toISOString(),
    });
    this.count(task.kind, result.status, false, usage, result.attempts, result.costUsd);
  }

  private count(
    kind: string,
    status: GenerationTaskStatus,
    reused: boolean,
    usage: Usage,
    attempts: number,
    costUsd: number | null,
  ): void {
    const counts = this.byKind.get(kind) ?? { generated: 0, reused: 0, failed: 0, errors: 0 };
    if (status === "success") {
      if (reused) counts.reused += 1;
      else counts.generated += 1;
    } else if (status === "failed") counts.failed += 1;
    else counts.errors += 1;
    this.byKind.set(kind, counts);
    this.usage = addUsage(this.usage, usage);
    if (!reused) {
      if (costUsd === null) this.cost.unpriced += 1;
      else {
        this.cost.usd += costUsd;
        this.cost.priced += 1;
      }
    }
    this.options.events.emit("task-end", { kind, status, reused, usage, attempts, costUsd });
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }
}
