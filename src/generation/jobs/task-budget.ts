import { type BudgetCheck, CostBudget, formatUsd } from "../../core/index.js";
import type { ChatRequest } from "../../providers/index.js";
import type { GenerationModel } from "./generation-model.js";

/**
 * A generation job's budget (decision 0021): a task starts only when the money spent, plus what the tasks in flight
 * are still expected to cost, plus its own expected cost stays within `maxCostUsd`; otherwise the job stops (reason
 * `budget`) and the command's generation run ends `cancelled`. Reused successes charge what they cost when they were
 * made, so running the command again with the same budget stops at the same place and a higher budget goes on.
 * A task is expected to cost the mean of this kind and model's tasks that succeeded here, else its request priced at
 * the prompt's UTF-8 bytes / 3 input tokens plus `maxTokens` (4096 without one) output tokens, at full price.
 */

/** The reason a budget stops a job with (`generation_runs.stop_reason`). */
export const BUDGET_STOP_REASON = "budget";

/** What a job's budget needs: the limit and each model's price (USD per million tokens). */
export interface GenerationBudget {
  readonly maxCostUsd: number;
  readonly priceOf: (model: GenerationModel) => { readonly input: number; readonly output: number };
}

/** A task as the budget sees it. */
export interface BudgetedTask {
  readonly key: string;
  readonly kind: string;
  readonly model: GenerationModel;
  readonly request: ChatRequest;
}

const DEFAULT_OUTPUT_TOKENS = 4096;

/** The ledger of one job's budget. */
export class TaskBudget {
  private readonly ledger: CostBudget;
  private readonly means = new Map<string, { tasks: number; totalUsd: number }>();
  private refused: BudgetCheck | undefined;

  constructor(private readonly budget: GenerationBudget) {
    this.ledger = new CostBudget(budget.maxCostUsd);
  }

  /** Set once a task was refused: the job starts no more. */
  get refusal(): BudgetCheck | undefined {
    return this.refused;
  }

  get spentUsd(): number {
    return this.ledger.spentUsd;
  }

  /** Starts `task` when it fits; false (and the job stops) when it does not. */
  tryStart(task: BudgetedTask): boolean {
    if (this.refused !== undefined) return false;
    const check = this.ledger.tryStart(task.key, () => this.expected(task));
    if (!check.fits) this.refused = check;
    return check.fits;
  }

  /** A call of `task` ended with this price (null: unpriced, which a budget refuses before it starts). */
  charge(key: string, costUsd: number | null | undefined): void {
    this.ledger.charge(key, costUsd ?? 0);
  }

  /** A stored success reused: what it cost when it was made counts as spent. */
  reused(costUsd: number | null | undefined): void {
    this.ledger.charge(undefined, costUsd ?? 0);
  }

  /** `task` ended; a success teaches the mean of its kind and model. */
  finish(task: BudgetedTask, succeeded: boolean): void {
    if (succeeded) {
      const id = meanId(task);
      const mean = this.means.get(id) ?? { tasks: 0, totalUsd: 0 };
      mean.tasks += 1;
      mean.totalUsd += this.ledger.chargedTo(task.key);
      this.means.set(id, mean);
    }
    this.ledger.finish(task.key);
  }

  /** The line a command prints when the budget stopped it. */
  stopMessage(): string {
    return `Stopped: the budget of ${formatUsd(this.budget.maxCostUsd)} would be passed; spent ${formatUsd(this.ledger.spentUsd)} (stored successes reused count what they cost). Run the same command again with a higher --max-cost to continue: stored successes are reused.`;
  }

  private expected(task: BudgetedTask): number {
    const mean = this.means.get(meanId(task));
    if (mean !== undefined) return mean.totalUsd / mean.tasks;
    const price = this.budget.priceOf(task.model);
    const input = Math.ceil(requestBytes(task.request) / 3);
    const output = task.request.maxTokens ?? task.model.sampling.maxTokens ?? DEFAULT_OUTPUT_TOKENS;
    return (input * price.input + output * price.output) / 1_000_000;
  }
}

function meanId(task: BudgetedTask): string {
  return `${task.kind}\u0000${task.model.id}`;
}

function requestBytes(request: ChatRequest): number {
  let total = Buffer.byteLength(request.system ?? "");
  for (const message of request.messages) total += Buffer.byteLength(message.content);
  if (request.responseSchema !== undefined) total += Buffer.byteLength(JSON.stringify(request.responseSchema.schema));
  return total;
}
