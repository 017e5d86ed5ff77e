import { randomUUID } from "node:crypto";
import { hashValue, MedsafetyError, ProviderError } from "../../core/index.js";
import type { CallOptions, ChatModel, ChatRequest, ChatResponse } from "../chat-model.js";
import type { BatchClient, BatchEntry, BatchOutcome, BatchState } from "./batch-client.js";
import type { BatchStore } from "./batch-store.js";

/** How long the model waits for more requests after the last one before it sends a batch. */
const DEFAULT_IDLE_MS = 200;

export interface BatchingModelOptions {
  /** The binding's id (batches are stored per binding). */
  readonly modelId: string;
  /** The binding's `provider:model` spec. */
  readonly spec: string;
  /** `Model "judge" (openai:gpt-4o-mini)`, for messages. */
  readonly label: string;
  readonly client: BatchClient;
  readonly store: BatchStore;
  /** Time between two polls of a pending batch. */
  readonly pollMs: number;
  /** A batch is sent when no request came for this long (default 200 ms) or when it is full. */
  readonly idleMs?: number;
  readonly now?: () => Date;
}

interface Waiter {
  readonly started: number;
  resolve(response: ChatResponse): void;
  reject(error: unknown): void;
}

interface PendingRequest {
  readonly entry: BatchEntry;
  readonly waiters: Waiter[];
}

interface Watch {
  readonly batchId: string;
  readonly waiters: Map<string, Waiter[]>;
}

/**
 * A `ChatModel` over a provider's batch API (decision 0019). `generate` does not call at once: the request joins a
 * pending set, which is sent as one batch (or several, at the provider's size limits) once no request came for
 * `idleMs`; the promise settles when the batch has ended and its results were read. Because every conversation of
 * a run waits on its pending call, rounds form by themselves: every first turn in one batch, then their judgments and
 * the second turns, and so on.
 *
 * Each request's `custom_id` is a hash of the binding's spec and the request body, and every submitted batch is
 * stored (`BatchStore`) before anything waits on it: a new process asking for the same request finds it in the store
 * and polls that batch instead of sending it again. A request stored as failed (errored, expired, canceled) is sent
 * again, in a new batch, when asked for again: the runner asks again only under `--retry-errors`, or when its error
 * was never recorded. Failures reject with a non-retryable `ProviderError`, which the runner records as the turn's or
 * judgment's `error`.
 */
export function createBatchingModel(options: BatchingModelOptions): ChatModel {
  return new BatchingModel(options);
}

class BatchingModel implements ChatModel {
  readonly spec: string;
  private pending = new Map<string, PendingRequest>();
  private pendingBytes = 0;
  private readonly watches = new Map<string, Watch>();
  /** Requests being submitted (upload and create under way): a caller asking for one again waits with them. */
  private readonly submitting = new Map<string, PendingRequest>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private idleTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly options: BatchingModelOptions) {
    this.spec = options.spec;
  }

  generate(request: ChatRequest, callOptions: CallOptions = {}): Promise<ChatResponse> {
    const signal = callOptions.signal;
    if (this.closed || signal?.aborted === true) return Promise.reject(this.cancelled());
    const body = this.options.client.body(request);
    // A later epoch (decision 0030) is its own request: the same body asked again for another sample.
    const epoch = request.epoch === undefined || request.epoch === 0 ? {} : { epoch: request.epoch };
    const customId = `ms-${hashValue({ spec: this.options.spec, body, ...epoch }, 48)}`;
    return new Promise<ChatResponse>((resolve, reject) => {
      const onAbort = () => {
        this.forget(customId, waiter);
        reject(this.cancelled());
      };
      const waiter: Waiter = {
        started: Date.now(),
        resolve: (response) => {
          signal?.removeEventListener("abort", onAbort);
          resolve(response);
        },
        reject: (error) => {
          signal?.removeEventListener("abort", onAbort);
          reject(error);
        },
      };
      signal?.addEventListener("abort", onAbort, { once: true });
      this.enqueue({ customId, body }, waiter);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    const waiters = [
      ...[...this.pending.values()].flatMap((pending) => pending.waiters),
      ...[...this.watches.values()].flatMap((watch) => [...watch.waiters.values()].flat()),
    ];
    this.pending.clear();
    this.watches.clear();
    for (const waiter of waiters) waiter.reject(this.cancelled());
  }

  private enqueue(entry: BatchEntry, waiter: Waiter): void {
    for (const watch of this.watches.values()) {
      const waiting = watch.waiters.get(entry.customId);
      if (waiting !== undefined) {
        waiting.push(waiter);
        return;
      }
    }
    const pending = this.pending.get(entry.customId) ?? this.submitting.get(entry.customId);
    if (pending !== undefined) {
      pending.waiters.push(waiter);
      return;
    }
    this.pending.set(entry.customId, { entry, waiters: [waiter] });
    this.pendingBytes += this.options.client.entryBytes(entry);
    const { maxRequests, maxBytes } = this.options.client.limits;
    if (this.pending.size >= maxRequests || this.pendingBytes >= maxBytes) {
      this.flush();
      return;
    }
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      this.idleTimer = undefined;
      this.flush();
    }, this.options.idleMs ?? DEFAULT_IDLE_MS);
  }

  /** Sends the pending requests: those already in a stored batch are awaited there, the others go in new batches. */
  private flush(): void {
    if (this.idleTimer !== undefined) clearTimeout(this.idleTimer);
    this.idleTimer = undefined;
    const pending = this.pending;
    this.pending = new Map();
    this.pendingBytes = 0;
    const fresh: PendingRequest[] = [];
    const known = new Map<string, { providerBatchId: string; requests: PendingRequest[] }>();
    for (const request of pending.values()) {
      const stored = this.options.store.findRequest(this.options.modelId, request.entry.customId);
      // Sent again: never sent, failed, or left out of its ended batch's results. Else awaited in its stored batch.
      const failed =
        stored?.requestStatus === "failed" || (stored?.batchStatus === "ended" && stored.requestStatus === "pending");
      if (stored === undefined || failed) {
        fresh.push(request);
        continue;
      }
      const group = known.get(stored.batchId) ?? { providerBatchId: stored.providerBatchId, requests: [] };
      group.requests.push(request);
      known.set(stored.batchId, group);
    }
    for (const [batchId, group] of known) this.watch(batchId, group.providerBatchId, group.requests);
    for (const chunk of this.chunks(fresh)) void this.submit(chunk);
  }

  /** Splits requests into batches within the provider's request and byte limits. */
  private chunks(requests: readonly PendingRequest[]): PendingRequest[][] {
    const { maxRequests, maxBytes } = this.options.client.limits;
    const chunks: PendingRequest[][] = [];
    let current: PendingRequest[] = [];
    let bytes = 0;
    for (const request of requests) {
      const size = this.options.client.entryBytes(request.entry);
      if (current.length > 0 && (current.length >= maxRequests || bytes + size > maxBytes)) {
        chunks.push(current);
        current = [];
        bytes = 0;
      }
      current.push(request);
      bytes += size;
    }
    if (current.length > 0) chunks.push(current);
    return chunks;
  }

  private async submit(requests: readonly PendingRequest[]): Promise<void> {
    for (const request of requests) this.submitting.set(request.entry.customId, request);
    try {
      await this.submitAndWatch(requests);
    } finally {
      for (const request of requests) this.submitting.delete(request.entry.customId);
    }
  }

  private async submitAndWatch(requests: readonly PendingRequest[]): Promise<void> {
    const { client, store, modelId } = this.options;
    let submitted: Awaited<ReturnType<BatchClient["submit"]>>;
    try {
      submitted = await client.submit(requests.map((request) => request.entry));
    } catch (error) {
      for (const request of requests) for (const waiter of request.waiters) waiter.reject(error);
      return;
    }
    const batchId = randomUUID();
    try {
      store.saveBatch({
        id: batchId,
        modelId,
        provider: client.provider,
        providerBatchId: submitted.providerBatchId,
        providerStatus: "submitted",
        ...(submitted.inputFileId === undefined ? {} : { inputFileId: submitted.inputFileId }),
        customIds: requests.map((request) => request.entry.customId),
        createdAt: this.now().toISOString(),
      });
    } catch (error) {
      for (const request of requests) for (const waiter of request.waiters) waiter.reject(error);
      return;
    }
    this.watch(batchId, submitted.providerBatchId, requests);
  }

  /** Adds waiters to a batch's watch, starting its poll loop when it has none. */
  private watch(batchId: string, providerBatchId: string, requests: readonly PendingRequest[]): void {
    if (this.closed) {
      for (const request of requests) for (const waiter of request.waiters) waiter.reject(this.cancelled());
      return;
    }
    const existing = this.watches.get(providerBatchId);
    const watch = existing ?? { batchId, waiters: new Map<string, Waiter[]>() };
    for (const request of requests) {
      const waiting = watch.waiters.get(request.entry.customId);
      if (waiting === undefined) watch.waiters.set(request.entry.customId, [...request.waiters]);
      else waiting.push(...request.waiters);
    }
    if (existing !== undefined) return;
    this.watches.set(providerBatchId, watch);
    void this.pollUntilEnded(providerBatchId, watch);
  }

  private async pollUntilEnded(providerBatchId: string, watch: Watch): Promise<void> {
    const { client, store } = this.options;
    let outcomes: Map<string, BatchOutcome>;
    let ended: BatchState | undefined;
    try {
      let state: BatchState = await client.poll(providerBatchId);
      while (!state.ended) {
        await this.sleep(this.options.pollMs);
        if (this.closed) return;
        state = await client.poll(providerBatchId);
      }
      if (this.closed) return;
      outcomes = await client.results(providerBatchId, state);
      ended = state;
      const ids = [...outcomes.keys()];
      store.endBatch(watch.batchId, {
        providerStatus: state.providerStatus,
        ...(state.outputFileId === undefined ? {} : { outputFileId: state.outputFileId }),
        ...(state.errorFileId === undefined ? {} : { errorFileId: state.errorFileId }),
        endedAt: this.now().toISOString(),
        succeeded: ids.filter((id) => outcomes.get(id)?.kind === "answer"),
        // A request the results leave out (a batch that failed whole) failed too.
        failed: [
          ...ids.filter((id) => outcomes.get(id)?.kind === "error"),
          ...[...watch.waiters.keys()].filter((id) => !outcomes.has(id)),
        ],
      });
    } catch (error) {
      if (this.closed) return;
      this.watches.delete(providerBatchId);
      // A batch the provider no longer knows (deleted, or its files past their retention): its requests are failed,
      // so that --retry-errors sends them again instead of polling it forever.
      if (error instanceof ProviderError && error.statusCode === 404) {
        try {
          store.endBatch(watch.batchId, {
            providerStatus: "not_found",
            endedAt: this.now().toISOString(),
            succeeded: [],
            failed: [...watch.waiters.keys()],
          });
        } catch {
          // The waiters get the provider's error below; the batch stays pending in the store, polled again next time.
        }
      }
      for (const waiters of watch.waiters.values()) for (const waiter of waiters) waiter.reject(error);
      return;
    }
    if (this.closed) return;
    this.watches.delete(providerBatchId);
    for (const [customId, waiters] of watch.waiters) {
      const outcome = outcomes.get(customId) ?? this.missing(providerBatchId, ended);
      for (const waiter of waiters) {
        if (outcome.kind === "error") waiter.reject(outcome.error);
        else waiter.resolve({ ...outcome.response, latencyMs: Date.now() - waiter.started });
      }
    }
  }

  /** Drops a waiter whose caller aborted; its request still goes (or went) to the provider for the others. */
  private forget(customId: string, waiter: Waiter): void {
    const lists = [
      this.pending.get(customId)?.waiters,
      ...[...this.watches.values()].map((watch) => watch.waiters.get(customId)),
    ];
    for (const list of lists) {
      const index = list?.indexOf(waiter) ?? -1;
      if (list !== undefined && index >= 0) list.splice(index, 1);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.timers.delete(timer);
        resolve();
      }, ms);
      this.timers.add(timer);
    });
  }

  private missing(providerBatchId: string, state: BatchState | undefined): BatchOutcome {
    const how = `${state?.providerStatus ?? "ended"}${state?.detail === undefined ? "" : `: ${state.detail}`}`;
    return {
      kind: "error",
      error: new ProviderError(
        "provider_response_invalid",
        `${this.options.label}: batch ${providerBatchId} ended (${how}) without a result for this request; run again with --resume --retry-errors to send it again.`,
        { isRetryable: false },
      ),
    };
  }

  private cancelled(): MedsafetyError {
    return new MedsafetyError(
      "cancelled",
      `${this.options.label}: the batched call was cancelled before its batch ended (the batch is kept: --resume polls it).`,
    );
  }

  private now(): Date {
    return this.options.now?.() ?? new Date();
  }
}
