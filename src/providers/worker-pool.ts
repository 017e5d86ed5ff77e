import { Worker } from "node:worker_threads";
import { MedsafetyError } from "../core/index.js";
import type { CallOptions, ChatModel, ChatRequest, ChatResponse } from "./chat-model.js";
import type { ModelSettings } from "./model-settings.js";
import { deserializeError, type WorkerCommand, type WorkerReply } from "./worker-protocol.js";

interface Pending {
  readonly resolve: (response: ChatResponse) => void;
  readonly reject: (error: Error) => void;
  readonly worker: WorkerSlot;
  readonly cleanup: () => void;
}

interface WorkerSlot {
  readonly worker: Worker;
  load: number;
}

/**
 * Worker threads that make AI SDK calls (HTTP + JSON + the provider's response handling), so a run is not
 * bound by one core at high concurrency (docs/decisions/0004-provider-worker-threads.md). The main thread keeps
 * the runner, the store, retries, limits and the cache; each call goes to the least-loaded worker.
 */
export class ProviderWorkerPool {
  private readonly slots: WorkerSlot[];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private closed = false;

  /** `env` is the environment the workers read API keys from (a copy; keys never travel in messages). */
  constructor(
    size: number,
    env: Readonly<Record<string, string | undefined>>,
    workerUrl: URL = new URL("./provider-worker.js", import.meta.url),
  ) {
    const workerEnv = Object.fromEntries(
      Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined),
    );
    this.slots = Array.from({ length: size }, () => {
      const slot: WorkerSlot = { worker: new Worker(workerUrl, { env: workerEnv }), load: 0 };
      slot.worker.on("message", (reply: WorkerReply) => this.settle(reply));
      slot.worker.on("error", (error) => this.failAll(slot, error));
      slot.worker.unref();
      return slot;
    });
  }

  /** A ChatModel whose calls run in the pool (remote providers only; `settings` must be valid for the AI SDK). */
  chatModel(settings: ModelSettings): ChatModel {
    return {
      spec: settings.model,
      generate: (request, options) => this.call(settings, request, options ?? {}),
      close: async () => {},
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.slots.map((slot) => slot.worker.terminate()));
  }

  private call(settings: ModelSettings, request: ChatRequest, options: CallOptions): Promise<ChatResponse> {
    if (this.closed) return Promise.reject(new MedsafetyError("cancelled", "the provider worker pool is closed"));
    if (options.signal?.aborted === true) return Promise.reject(new MedsafetyError("cancelled", "the run was aborted"));
    const id = this.nextId++;
    const slot = this.slots.reduce((best, candidate) => (candidate.load < best.load ? candidate : best));
    return new Promise<ChatResponse>((resolve, reject) => {
      const onAbort = (): void => slot.worker.postMessage({ type: "abort", id } satisfies WorkerCommand);
      options.signal?.addEventListener("abort", onAbort, { once: true });
      const cleanup = (): void => options.signal?.removeEventListener("abort", onAbort);
      this.pending.set(id, { resolve, reject, worker: slot, cleanup });
      slot.load += 1;
      if (slot.load === 1) slot.worker.ref();
      slot.worker.postMessage({ type: "call", id, settings, request } satisfies WorkerCommand);
    });
  }

  private settle(reply: WorkerReply): void {
    const pending = this.pending.get(reply.id);
    if (pending === undefined) return;
    this.finish(reply.id, pending);
    if (reply.type === "result") pending.resolve(reply.response);
    else pending.reject(deserializeError(reply.error));
  }

  private finish(id: number, pending: Pending): void {
    this.pending.delete(id);
    pending.cleanup();
    pending.worker.load -= 1;
    // An idle pool must not keep the process alive.
    if (pending.worker.load === 0) pending.worker.worker.unref();
  }

  private failAll(slot: WorkerSlot, error: Error): void {
    for (const [id, pending] of this.pending) {
      if (pending.worker !== slot) continue;
      this.finish(id, pending);
      pending.reject(
        new MedsafetyError("provider_unknown", `a provider worker thread failed: ${error.message}`, { cause: error }),
      );
    }
  }
}
