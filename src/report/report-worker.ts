/**
 * A report thread (see target-parts.ts): opens the store read-only, then loads and computes one target per
 * "target" message, moving the result's buffers back to the main thread.
 */
import { parentPort } from "node:worker_threads";
import { type Db, openStoreReadOnly } from "../store/index.js";
import { computeTargetPart, type TargetPartOptions } from "./target-part.js";
import { type ReportWorkerCommand, type ReportWorkerReply, transferablesOf } from "./target-parts.js";
import { itemIndex, loadTarget, type TurnItems } from "./turn-table.js";

interface Session {
  readonly db: Db;
  readonly runId: string;
  readonly items: TurnItems;
  readonly index: Map<string, number>;
  readonly options: TargetPartOptions;
}

let session: Session | undefined;
const port = parentPort;

port?.on("message", (command: ReportWorkerCommand) => {
  try {
    if (command.type === "init") {
      session = {
        db: openStoreReadOnly(command.storePath),
        runId: command.runId,
        items: command.items,
        index: itemIndex(command.items),
        options: command.options,
      };
      return;
    }
    if (session === undefined) throw new Error("a target arrived before the store was opened");
    const { db, runId, items, index, options } = session;
    const column = loadTarget(db, runId, command.target, index, items.turns, items.judges, options);
    const part = computeTargetPart({ ...items, targets: [column] }, column, options);
    port.postMessage(
      { type: "done", position: command.position, column, part } satisfies ReportWorkerReply,
      transferablesOf(column, part),
    );
  } catch (error) {
    port.postMessage({
      type: "failed",
      message: error instanceof Error ? error.message : String(error),
      stack: error instanceof Error ? error.stack : undefined,
    } satisfies ReportWorkerReply);
  }
});
