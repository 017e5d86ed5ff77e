import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postgresForTests } from "../../test/support/postgres.js";
import { BatchRepository } from "./batch-repository.js";
import { type OpenedStore, openStore } from "./database.js";
import { RunRepository } from "./run-repository.js";

const postgres = postgresForTests();

function withRun(store: OpenedStore, runId: string): BatchRepository {
  new RunRepository(store.db).create({
    id: runId,
    config: {},
    configHash: "h",
    datasetSource: "b",
    datasetHash: "d",
    itemCount: 0,
    rubrics: [],
    packageVersion: "0",
  });
  return new BatchRepository(store.db);
}

function batchContract(name: string, open: () => OpenedStore): void {
  describe(`BatchRepository (${name})`, () => {
    it("finds a request's newest batch, per run and binding, and records how each request ended", () => {
      const store = open();
      const repository = withRun(store, "run-a");
      withRun(store, "run-b");
      const batches = repository.forRun("run-a");
      // 1,200 requests: more than one multi-row statement.
      const ids = Array.from({ length: 1200 }, (_, index) => `ms-${index}`);
      batches.saveBatch({
        id: "b1",
        modelId: "judge",
        provider: "openai",
        providerBatchId: "batch_1",
        providerStatus: "submitted",
        inputFileId: "file-1",
        customIds: ids,
        createdAt: "2026-01-01T00:00:00.000Z",
      });
      expect(batches.findRequest("judge", "ms-7")).toEqual({
        batchId: "b1",
        providerBatchId: "batch_1",
        batchStatus: "pending",
        requestStatus: "pending",
      });
      expect(batches.findRequest("target", "ms-7")).toBeUndefined();
      expect(repository.forRun("run-b").findRequest("judge", "ms-7")).toBeUndefined();
      batches.endBatch("b1", {
        providerStatus: "expired",
        outputFileId: "file-out",
        errorFileId: "file-err",
        endedAt: "2026-01-01T01:00:00.000Z",
        succeeded: ids.slice(0, 1000),
        failed: ids.slice(1000, 1100),
      });
      expect(batches.findRequest("judge", "ms-7")).toMatchObject({ batchStatus: "ended", requestStatus: "succeeded" });
      expect(batches.findRequest("judge", "ms-1050")).toMatchObject({ requestStatus: "failed" });
      expect(repository.requestCounts("run-a")).toEqual({ succeeded: 1000, failed: 100, pending: 100 });
      // The failed request sent again: its newest batch answers.
      batches.saveBatch({
        id: "b2",
        modelId: "judge",
        provider: "openai",
        providerBatchId: "batch_2",
        providerStatus: "submitted",
        customIds: ["ms-1050"],
        createdAt: "2026-01-01T02:00:00.000Z",
      });
      expect(batches.findRequest("judge", "ms-1050")).toMatchObject({ batchId: "b2", requestStatus: "pending" });
      expect(repository.listForRun("run-a")).toMatchObject([
        {
          id: "b1",
          runId: "run-a",
          provider: "openai",
          status: "ended",
          providerStatus: "expired",
          requestCount: 1200,
          inputFileId: "file-1",
          outputFileId: "file-out",
          errorFileId: "file-err",
          endedAt: "2026-01-01T01:00:00.000Z",
        },
        { id: "b2", status: "pending", requestCount: 1, inputFileId: null, endedAt: null },
      ]);
      store.db.close();
    });
  });
}

batchContract("SQLite", () => openStore(":memory:"));

describe.skipIf(postgres.skipReason !== undefined)("PostgreSQL", () => {
  let url = "";
  const opened: OpenedStore[] = [];
  beforeAll(async () => {
    url = await postgres.newDatabase();
  });
  afterAll(() => {
    for (const store of opened) if (store.db.open) store.db.close();
  });
  batchContract("PostgreSQL", () => {
    const store = openStore(url);
    opened.push(store);
    return store;
  });
});
