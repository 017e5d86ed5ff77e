import type { Usage } from "../../core/index.js";
import type { GenerationTaskStatus } from "../../store/index.js";

export interface GenerationEventMap {
  /** A job starts: how many model tasks it expects (may be adjusted later by `total-change`). */
  "job-start": { readonly command: string; readonly tasks: number };
  /** The expected task count changed by `delta` (e.g. a seed's verdicts are skipped after its answers failed). */
  "total-change": { readonly delta: number };
  /** One task ended: a stored success reused, a new success, or a recorded failure or error. */
  "task-end": {
    readonly kind: string;
    readonly status: GenerationTaskStatus;
    readonly reused: boolean;
    /** The task's calls' tokens, prompt-cache reads and writes included (0 for a reused task). */
    readonly usage: Usage;
    readonly attempts: number;
    /** The task's calls' price in USD: 0 for a reused task; null when a call was unpriced. */
    readonly costUsd: number | null;
  };
  /** A provider call is retried (429, 5xx, timeout) or an invalid answer is asked again. */
  "task-retry": { readonly kind: string; readonly reason: "provider" | "invalid-output"; readonly attempt: number };
}

type Listener<K extends keyof GenerationEventMap> = (event: GenerationEventMap[K]) => void;

/** Typed events of a generation job; listeners (progress bar, tests) subscribe, the job knows no terminal. */
export class GenerationEvents {
  private readonly listeners = new Map<keyof GenerationEventMap, Set<(event: never) => void>>();

  on<K extends keyof GenerationEventMap>(name: K, listener: Listener<K>): () => void {
    const set = this.listeners.get(name) ?? new Set();
    set.add(listener as (event: never) => void);
    this.listeners.set(name, set);
    return () => set.delete(listener as (event: never) => void);
  }

  emit<K extends keyof GenerationEventMap>(name: K, event: GenerationEventMap[K]): void {
    for (const listener of this.listeners.get(name) ?? []) (listener as Listener<K>)(event);
  }
}
