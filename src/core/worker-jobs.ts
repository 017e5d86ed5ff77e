/**
 * One harness for worker threads that run jobs for the main thread (provider calls, report targets, the viewer's
 * reports), with one message protocol: a job has a request id; a thread answers with its result or its error, the
 * error serialised with the project's error vocabulary (class, code, HTTP status, retry-after, `isRetryable`), so
 * retries and exit codes work the same across the thread boundary. A job can be cancelled (its `AbortSignal` reaches
 * the thread's handler), and a thread that crashes or exits fails every job it holds.
 */
import { parentPort, type TransferListItem, Worker } from "node:worker_threads";
import { type ErrorCode, errorMessage, MedsafetyError, ProviderError } from "./errors.js";

/** What the main thread sends a job thread. */
export type JobRequest<Input> =
  | { readonly type: "job"; readonly id: number; readonly input: Input }
  | { readonly type: "cancel"; readonly id: number };

/** What a job thread answers. */
export type JobReply<Output> =
  | { readonly type: "result"; readonly id: number; readonly value: Output }
  | { readonly type: "error"; readonly id: number; readonly error: SerializedError };

/** An error crossing the thread boundary, as plain data. */
export interface SerializedError {
  /** "ProviderError", "MedsafetyError" (and subclasses, rebuilt as MedsafetyError) or any other error's name. */
  readonly kind: "provider" | "medsafety" | "other";
  readonly name: string;
  readonly message: string;
  /** The error vocabulary's code, or another error's string `code` (e.g. SQLITE_CORRUPT). */
  readonly code?: string;
  readonly isRetryable: boolean;
  readonly statusCode?: number;
  readonly retryAfterMs?: number;
  readonly stack?: string;
}

export function serializeError(error: unknown): SerializedError {
  const stack = error instanceof Error && error.stack !== undefined ? { stack: error.stack } : {};
  if (error instanceof ProviderError) {
    return {
      kind: "provider",
      name: error.name,
      code: error.code,
      message: error.message,
      isRetryable: error.isRetryable,
      ...(error.statusCode === undefined ? {} : { statusCode: error.statusCode }),
      ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
      ...stack,
    };
  }
  if (error instanceof MedsafetyError) {
    return {
      kind: "medsafety",
      name: error.name,
      code: error.code,
      message: error.message,
      isRetryable: error.isRetryable,
      ...stack,
    };
  }
  const code =
    typeof error === "object" && error !== null && "code" in error && typeof error.code === "string"
      ? { code: error.code }
      : {};
  return {
    kind: "other",
    name: error instanceof Error ? error.name : "Error",
    message: errorMessage(error),
    isRetryable: false,
    ...code,
    ...stack,
  };
}

/**
 * The error again on this side: a `ProviderError` or `MedsafetyError` with the same code, status, retry-after and
 * retryability; anything else an `Error` with its name, message and string `code` (so a SQLite failure stays
 * recognisable, see store-errors.ts). The thread's stack is kept.
 */
export function deserializeError(error: SerializedError): Error {
  let rebuilt: Error;
  if (error.kind === "provider") {
    rebuilt = new ProviderError(error.code as ErrorCode, error.message, {
      isRetryable: error.isRetryable,
      ...(error.statusCode === undefined ? {} : { statusCode: error.statusCode }),
      ...(error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs }),
    });
  } else if (error.kind === "medsafety") {
    rebuilt = new MedsafetyError(error.code as ErrorCode, error.message, { isRetryable: error.isRetryable });
  } else {
    rebuilt = Object.assign(new Error(error.message), error.code === undefined ? {} : { code: error.code });
    rebuilt.name = error.name;
  }
  if (error.stack !== undefined) rebuilt.stack = error.stack;
  return rebuilt;
}

export interface WorkerJobsOptions {
  /** Threads to start. */
  readonly size: number;
  /** What the threads are, for errors: "a report thread" gives "a report thread failed: …". */
  readonly label: string;
  /** Given to every thread as `workerData`. */
  readonly workerData?: unknown;
  /** The threads' environment (default: a copy of this process's). */
  readonly env?: Readonly<Record<string, string>>;
  /** Jobs one thread runs at once (default unlimited); further jobs wait for a free thread, in order. */
  readonly jobsPerThread?: number;
}

export interface JobOptions {
  /** Aborting cancels the job: a waiting job at once, a running one through its thread's handler. */
  readonly signal?: AbortSignal;
  /** Buffers of the input to move (not copy) to the thread. */
  readonly transfer?: readonly TransferListItem[];
}

interface Thread {
  readonly worker: Worker;
  load: number;
  alive: boolean;
}

interface PendingJob<Input, Output> {
  readonly input: Input;
  readonly options: JobOptions;
  readonly resolve: (value: Output) => void;
  readonly reject: (error: Error) => void;
  readonly cleanup: () => void;
  thread?: Thread;
}

/**
 * Job threads on the main side: each job goes to the least-loaded live thread (waiting in order when every thread
 * runs `jobsPerThread` jobs); an idle pool does not keep the process alive. A thread that crashes fails its jobs with
 * `<label> failed: …` (or `<label> stopped with exit code N`), and later jobs go to the others.
 */
export class WorkerJobs<Input, Output> {
  private readonly threads: Thread[];
  private readonly pending = new Map<number, PendingJob<Input, Output>>();
  private readonly waiting: number[] = [];
  private nextId = 0;
  private closed = false;

  constructor(
    workerUrl: URL | string,
    private readonly options: WorkerJobsOptions,
  ) {
    this.threads = Array.from({ length: options.size }, () => this.start(workerUrl));
  }

  /** Runs one job; resolves with the thread's result, rejects with its error (rebuilt, see `deserializeError`). */
  run(input: Input, options: JobOptions = {}): Promise<Output> {
    if (this.closed) return Promise.reject(new MedsafetyError("cancelled", `${this.options.label} pool is closed`));
    if (options.signal?.aborted === true)
      return Promise.reject(new MedsafetyError("cancelled", `${this.options.label}: the job was cancelled`));
    const id = this.nextId++;
    return new Promise<Output>((resolve, reject) => {
      const onAbort = (): void => this.cancel(id);
      options.signal?.addEventListener("abort", onAbort, { once: true });
      const cleanup = (): void => options.signal?.removeEventListener("abort", onAbort);
      this.pending.set(id, { input, options, resolve, reject, cleanup });
      this.waiting.push(id);
      this.dispatch();
    });
  }

  /** Stops every thread; jobs still pending are rejected as cancelled. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const [id, job] of this.pending)
      this.fail(id, job, new MedsafetyError("cancelled", `${this.options.label} pool was closed before the job ended`));
    await Promise.all(this.threads.map((thread) => thread.worker.terminate()));
  }

  private start(workerUrl: URL | string): Thread {
    const worker = new Worker(workerUrl, {
      ...(this.options.env === undefined ? {} : { env: { ...this.options.env } }),
      ...(this.options.workerData === undefined ? {} : { workerData: this.options.workerData }),
    });
    const thread: Thread = { worker, load: 0, alive: true };
    worker.on("message", (reply: JobReply<Output>) => this.settle(reply));
    worker.on("error", (error) => this.crash(thread, new Error(`${this.options.label} failed: ${error.message}`)));
    worker.on("exit", (code) => {
      if (!this.closed) this.crash(thread, new Error(`${this.options.label} stopped with exit code ${code}`));
    });
    worker.unref();
    return thread;
  }

  private dispatch(): void {
    const limit = this.options.jobsPerThread ?? Number.POSITIVE_INFINITY;
    while (this.waiting.length > 0) {
      const live = this.threads.filter((thread) => thread.alive);
      if (live.length === 0) {
        for (const id of this.waiting.splice(0)) {
          const job = this.pending.get(id);
          if (job !== undefined) this.fail(id, job, new Error(`${this.options.label}: no thread left to run the job`));
        }
        return;
      }
      const thread = live.reduce((best, candidate) => (candidate.load < best.load ? candidate : best));
      if (thread.load >= limit) return;
      const id = this.waiting.shift() as number;
      const job = this.pending.get(id);
      if (job === undefined) continue;
      job.thread = thread;
      thread.load += 1;
      if (thread.load === 1) thread.worker.ref();
      thread.worker.postMessage(
        { type: "job", id, input: job.input } satisfies JobRequest<Input>,
        job.options.transfer === undefined ? undefined : [...job.options.transfer],
      );
    }
  }

  private cancel(id: number): void {
    const job = this.pending.get(id);
    if (job === undefined) return;
    if (job.thread === undefined) {
      this.waiting.splice(this.waiting.indexOf(id), 1);
      this.fail(
        id,
        job,
        new MedsafetyError("cancelled", `${this.options.label}: the job was cancelled before it started`),
      );
      return;
    }
    // The thread's handler sees the abort and answers (usually with a cancellation error).
    job.thread.worker.postMessage({ type: "cancel", id } satisfies JobRequest<Input>);
  }

  private settle(reply: JobReply<Output>): void {
    const job = this.pending.get(reply.id);
    if (job === undefined) return;
    this.finish(reply.id, job);
    if (reply.type === "result") job.resolve(reply.value);
    else job.reject(deserializeError(reply.error));
    this.dispatch();
  }

  private crash(thread: Thread, error: Error): void {
    if (!thread.alive) return;
    thread.alive = false;
    for (const [id, job] of this.pending) if (job.thread === thread) this.fail(id, job, error);
    this.dispatch();
  }

  private fail(id: number, job: PendingJob<Input, Output>, error: Error): void {
    this.finish(id, job);
    job.reject(error);
  }

  private finish(id: number, job: PendingJob<Input, Output>): void {
    this.pending.delete(id);
    job.cleanup();
    const thread = job.thread;
    if (thread === undefined) return;
    thread.load -= 1;
    // An idle pool must not keep the process alive.
    if (thread.load === 0) thread.worker.unref();
  }
}

/**
 * The thread side: runs `handler` for every job the main thread sends and answers with its result (moving the buffers
 * `transferOf` names) or its error. Call once, at the top of a worker module.
 */
export function serveWorkerJobs<Input, Output>(
  handler: (input: Input, signal: AbortSignal) => Output | Promise<Output>,
  options: { readonly transferOf?: (value: Output) => readonly TransferListItem[] } = {},
): void {
  const port = parentPort;
  if (port === null) throw new Error("serveWorkerJobs must run in a worker thread");
  const running = new Map<number, AbortController>();
  const runJob = async (id: number, input: Input): Promise<void> => {
    const controller = new AbortController();
    running.set(id, controller);
    try {
      const value = await handler(input, controller.signal);
      const transfer = options.transferOf?.(value);
      port.postMessage(
        { type: "result", id, value } satisfies JobReply<Output>,
        transfer === undefined ? undefined : [...transfer],
      );
    } catch (error) {
      port.postMessage({ type: "error", id, error: serializeError(error) } satisfies JobReply<Output>);
    } finally {
      running.delete(id);
    }
  };
  port.on("message", (request: JobRequest<Input>) => {
    if (request.type === "cancel") running.get(request.id)?.abort();
    else void runJob(request.id, request.input);
  });
}
