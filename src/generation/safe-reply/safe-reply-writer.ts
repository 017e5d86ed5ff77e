import { type ChatMessage, hashValue, type Language } from "../../core/index.js";
import type { ChatRequest } from "../../providers/index.js";
import {
  type GenerationEvents,
  type GenerationFailure,
  type GenerationJob,
  type GenerationModel,
  generationTaskKey,
  type ParseOutcome,
  type TaskOutcome,
} from "../jobs/index.js";
import { type SafeResponderPrompt, safeResponderSystem } from "../safe-responder-prompt.js";
import { acceptSafeReply, type SafeReplyScore, type SafeReplyThresholds } from "./accept-safe-reply.js";

/** Task kind of a safe-responder call (one per failing turn). */
export const SAFE_REPLY_TASK = "safe-reply";
/** Task kind of one judge's check of a safe reply. */
export const SAFE_REPLY_VERDICT_TASK = "safe-reply-verdict";
/** The task kinds of the safe responder, in the order summaries list them. */
export const SAFE_REPLY_TASK_KINDS = [SAFE_REPLY_TASK, SAFE_REPLY_VERDICT_TASK] as const;

/** A failing turn that needs a safe reply. */
export interface SafeReplyRequest {
  /** Item, target, turn (and epoch): the tasks' subject in the store and in summaries. */
  readonly subject: string;
  readonly language: Language;
  /** The item's rubric reference (undefined: the default rubric), for judges without an override. */
  readonly rubric: string | undefined;
  readonly turnIndex: number;
  /** The conversation up to and including the failing user turn. */
  readonly conversation: readonly ChatMessage[];
}

/** How a judge scores a reply on one rubric (built by the CLI from judges/: request and verdict parsing). */
export interface SafeReplyRubric {
  readonly id: string;
  /** `id@version`: part of every verdict's key. */
  readonly ref: string;
  /** Hash of the rubric's content: the verdict tasks' prompt hash. */
  readonly hash: string;
  readonly higherIsSafer: boolean;
  request(input: {
    readonly language: Language;
    readonly turnIndex: number;
    readonly conversation: readonly ChatMessage[];
  }): ChatRequest;
  /** The score of a valid verdict, or why it is not one (never a guessed score). */
  parse(text: string): ParseOutcome<number>;
}

/** One of the run's judges, checking safe replies. */
export interface SafeReplyJudge {
  readonly model: GenerationModel;
  /** The rubric for an item's rubric reference (the judge's override, else the item's). */
  rubricFor(itemRubric: string | undefined): SafeReplyRubric;
}

/** The outcome for one failing turn. */
export type SafeReplyOutcome =
  | { readonly status: "accepted" | "rejected"; readonly reply: string; readonly means: ReadonlyMap<string, number> }
  /** No judge gave a valid score (unscored verdicts or judge errors). */
  | { readonly status: "unscored"; readonly reply: string }
  /** The safe responder answered, but never with a non-empty reply. */
  | { readonly status: "failed"; readonly problem: string }
  /** The safe-responder call failed after retries. */
  | {
      readonly status: "error";
      readonly errorCode: string;
      readonly errorMessage: string;
      readonly httpStatus?: number;
    };

/** Errored tasks of one model, kind and error code (and HTTP status): how summaries and the manifest name errors. */
export interface SafeReplyErrorCount {
  readonly model: string;
  readonly kind: string;
  readonly code: string;
  readonly httpStatus: number | null;
  readonly count: number;
}

export interface SafeReplyWriterOptions {
  readonly writer: GenerationModel;
  readonly prompt: SafeResponderPrompt;
  readonly judges: readonly SafeReplyJudge[];
  readonly thresholds: SafeReplyThresholds;
  readonly job: GenerationJob;
  readonly events: GenerationEvents;
  /** Most failures kept for the summary (all are stored and counted); default 20. */
  readonly keepFailures?: number;
}

/**
 * Writes safe replies as generation tasks: the safe responder answers the conversation (system prompt in the
 * item's language), then every judge scores the reply, each call a keyed task in the store. A stored success is
 * reused without a call; an empty reply is `failed`, a verdict that is not valid is `failed` (unscored) with its raw
 * text, a failed call is `error` with its code, HTTP status and message. Only a stopped job throws (`cancelled`).
 */
export class SafeReplyWriter {
  private readonly promptHash: string;
  private readonly failureList: GenerationFailure[] = [];
  private failureTotal = 0;
  private readonly errorCounts = new Map<string, SafeReplyErrorCount>();

  constructor(private readonly options: SafeReplyWriterOptions) {
    this.promptHash = hashValue(options.prompt);
  }

  async write(request: SafeReplyRequest): Promise<SafeReplyOutcome> {
    const { job, events, judges, writer } = this.options;
    events.emit("total-change", { delta: 1 + judges.length });
    const replyInput = { language: request.language, conversation: request.conversation };
    const reply = await job.run<string>({
      key: generationTaskKey(SAFE_REPLY_TASK, replyInput, this.promptHash, writer),
      kind: SAFE_REPLY_TASK,
      subject: request.subject,
      model: writer,
      promptHash: this.promptHash,
      input: {
        ...replyInput,
        turnIndex: request.turnIndex,
        prompt: `${this.options.prompt.id}@${this.options.prompt.version}`,
      },
      request: {
        system: safeResponderSystem(this.options.prompt, request.language),
        cacheSystemPrompt: true,
        messages: request.conversation,
      },
      parse: (text) =>
        text.trim() === ""
          ? { ok: false, problem: "the safe responder returned an empty reply" }
          : { ok: true, value: text.trim() },
    });
    if (reply.status !== "success") {
      events.emit("total-change", { delta: -judges.length });
      this.record(request.subject, writer.id, SAFE_REPLY_TASK, reply);
      return reply.status === "failed" ? { status: "failed", problem: reply.problem } : reply;
    }
    const judged: ChatMessage[] = [...request.conversation, { role: "assistant", content: reply.value }];
    // Settle every verdict before a cancellation propagates: calls in flight are stored, as the job promises.
    const settled = await Promise.allSettled(judges.map((judge) => this.verdict(judge, request, judged)));
    const scores: SafeReplyScore[] = [];
    for (const result of settled) {
      if (result.status === "rejected") throw result.reason;
      if (result.value !== undefined) scores.push(result.value);
    }
    const acceptance = acceptSafeReply(scores, this.options.thresholds);
    return acceptance.status === "unscored"
      ? { status: "unscored", reply: reply.value }
      : { ...acceptance, reply: reply.value };
  }

  /** The first failures (subject, model, status, message), their total, and errors counted by model and code. */
  failures(): {
    readonly list: readonly GenerationFailure[];
    readonly total: number;
    readonly errors: readonly SafeReplyErrorCount[];
  } {
    const errors = [...this.errorCounts.values()].sort(
      (a, b) => a.model.localeCompare(b.model) || a.kind.localeCompare(b.kind) || a.code.localeCompare(b.code),
    );
    return { list: [...this.failureList], total: this.failureTotal, errors };
  }

  private async verdict(
    judge: SafeReplyJudge,
    request: SafeReplyRequest,
    judged: readonly ChatMessage[],
  ): Promise<SafeReplyScore | undefined> {
    const rubric = judge.rubricFor(request.rubric);
    const input = { language: request.language, turnIndex: request.turnIndex, conversation: judged };
    const outcome = await this.options.job.run<number>({
      key: generationTaskKey(SAFE_REPLY_VERDICT_TASK, { ...input, rubric: rubric.ref }, rubric.hash, judge.model),
      kind: SAFE_REPLY_VERDICT_TASK,
      subject: request.subject,
      model: judge.model,
      promptHash: rubric.hash,
      input: { ...input, rubric: rubric.ref },
      request: rubric.request(input),
      parse: (text) => rubric.parse(text),
    });
    if (outcome.status !== "success") {
      this.record(request.subject, judge.model.id, SAFE_REPLY_VERDICT_TASK, outcome);
      return undefined;
    }
    return { rubricId: rubric.id, higherIsSafer: rubric.higherIsSafer, score: outcome.value };
  }

  private record(
    subject: string,
    modelId: string,
    kind: string,
    outcome: Exclude<TaskOutcome<unknown>, { status: "success" }>,
  ): void {
    this.failureTotal += 1;
    if (this.failureList.length < (this.options.keepFailures ?? 20)) {
      this.failureList.push({
        subject,
        modelId,
        status: outcome.status,
        message: outcome.status === "failed" ? outcome.problem : outcome.errorMessage,
      });
    }
    if (outcome.status !== "error") return;
    const httpStatus = outcome.httpStatus ?? null;
    const key = JSON.stringify([modelId, kind, outcome.errorCode, httpStatus]);
    const count = this.errorCounts.get(key)?.count ?? 0;
    this.errorCounts.set(key, { model: modelId, kind, code: outcome.errorCode, httpStatus, count: count + 1 });
  }
}
