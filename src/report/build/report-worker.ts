/**
 * A report thread (see target-parts.ts), served by the core worker-jobs harness: opens the store read-only on its first
 * target, then loads and computes one target per job, moving the result's buffers back to the main thread.
 */
import { workerData } from "node:worker_threads";
import { serveWorkerJobs } from "../../core/index.js";
import { type Db, openStoreReadOnly } from "../../store/index.js";
import { computeTargetPart } from "./target-part.js";
import { type Computed, type ReportSession, transferablesOf } from "./target-parts.js";
import { itemIndex, loadTarget, type TargetConfig } from "./turn-table.js";

const session = workerData as ReportSession;
let opened: { readonly db: Db; readonly index: Map<string, number> } | undefined;

serveWorkerJobs<TargetConfig, Computed>(
  (target) => {
    opened ??= {
      db: openStoreReadOnly(session.storePath, session.snapshot === undefined ? {} : { snapshot: session.snapshot }),
      index: itemIndex(session.items),
    };
    const { items, options, runId } = session;
    const column = loadTarget(opened.db, runId, target, opened.index, items.turns, items.judges, options, items.epochs);
    const part = computeTargetPart({ ...items, targets: [column] }, column, options);
    return { column, part };
  },
  { transferOf: ({ column, part }) => transferablesOf(column, part) },
);
