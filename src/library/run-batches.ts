import type { BatchEnd, BatchStore, NewBatch, StoredBatchRequest } from "../providers/index.js";
import { BatchRepository, type RunBatchStore } from "../store/index.js";

/**
 * The batch store of a run's `batch: true` bindings (decision 0019). Models are bound before the run's id is known
 * (a new run is recorded after binding), so the store is handed to them now and pointed at the run's batches when
 * the run starts (`begin`). A batch sent before `begin` is a programming error, not a user's.
 */
export interface RunBatches {
  readonly store: BatchStore;
  /** Points the store at this run's batches in this database. */
  begin(db: ConstructorParameters<typeof BatchRepository>[0], runId: string): void;
}

export function runBatches(): RunBatches {
  let scoped: RunBatchStore | undefined;
  const current = (): RunBatchStore => {
    if (scoped === undefined)
      throw new Error("a batch: true model was called before its run started (runBatches.begin)");
    return scoped;
  };
  return {
    store: {
      findRequest: (modelId: string, customId: string): StoredBatchRequest | undefined =>
        current().findRequest(modelId, customId),
      saveBatch: (batch: NewBatch) => current().saveBatch(batch),
      endBatch: (batchId: string, end: BatchEnd) => current().endBatch(batchId, end),
    },
    begin: (db, runId) => {
      scoped = new BatchRepository(db).forRun(runId);
    },
  };
}
