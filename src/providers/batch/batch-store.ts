import type { BatchProvider } from "./batch-client.js";

/** Where a request stands in the newest batch that holds it. */
export interface StoredBatchRequest {
  /** The store's id of the batch. */
  readonly batchId: string;
  readonly providerBatchId: string;
  /** `pending` until its results were read once. */
  readonly batchStatus: "pending" | "ended";
  /** `failed`: errored, expired or canceled at the provider (sent again only when the runner asks again). */
  readonly requestStatus: "pending" | "succeeded" | "failed";
}

/** A batch the provider accepted, stored before anything waits on it. */
export interface NewBatch {
  readonly id: string;
  readonly modelId: string;
  readonly provider: BatchProvider;
  readonly providerBatchId: string;
  readonly providerStatus: string;
  readonly inputFileId?: string;
  readonly customIds: readonly string[];
  readonly createdAt: string;
}

/** How a batch ended, and which of its requests came back as answers and which as failures. */
export interface BatchEnd {
  readonly providerStatus: string;
  readonly outputFileId?: string;
  readonly errorFileId?: string;
  readonly endedAt: string;
  readonly succeeded: readonly string[];
  readonly failed: readonly string[];
}

/**
 * The port through which a batching model keeps its batches, so that a killed process resumes by polling the
 * batches it had submitted instead of submitting their requests again. Scoped to one run by whoever implements it
 * (the store's `BatchRepository`, wired in config/bind-models.ts).
 */
export interface BatchStore {
  /** The newest batch of this binding holding this `custom_id`, if any. */
  findRequest(modelId: string, customId: string): StoredBatchRequest | undefined;
  saveBatch(batch: NewBatch): void;
  endBatch(batchId: string, end: BatchEnd): void;
}
