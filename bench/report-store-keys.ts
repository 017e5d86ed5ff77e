/**
 * Worker thread of bench/report-store.ts: computes the deterministic turn and judgment keys (core's turnKey and
 * judgmentKey: sha256 of canonical JSON, the slowest part of generation) for one target at a time, while the
 * main thread inserts the rows of the previous target. Keys travel as one transferred buffer per target:
 * for item i and turn t, at ((i × turns + t) × (1 + judges)) × 32 bytes: the turn key, then each judge's key.
 */
import { parentPort, workerData } from "node:worker_threads";
import { judgmentKey, turnKey } from "../src/core/index.js";

export interface KeyWorkerData {
  readonly runId: string;
  readonly itemIds: readonly string[];
  readonly versions: readonly string[];
  readonly turns: number;
  readonly judges: readonly string[];
}

export const KEY_LENGTH = 32;

const data = workerData as KeyWorkerData;
parentPort?.on("message", (targetId: string) => {
  const perTurn = 1 + data.judges.length;
  const buffer = Buffer.allocUnsafeSlow(data.itemIds.length * data.turns * perTurn * KEY_LENGTH);
  let offset = 0;
  data.itemIds.forEach((itemId, index) => {
    for (let turnIndex = 0; turnIndex < data.turns; turnIndex += 1) {
      const key = turnKey({
        runId: data.runId,
        itemId,
        itemVersion: data.versions[index] ?? "",
        targetId,
        turnIndex,
        epoch: 0,
      });
      offset += buffer.write(key, offset, "latin1");
      for (const judgeId of data.judges) offset += buffer.write(judgmentKey(key, judgeId), offset, "latin1");
    }
  });
  const bytes = buffer.buffer as ArrayBuffer; // allocUnsafeSlow: the buffer owns its whole ArrayBuffer
  parentPort?.postMessage(bytes, [bytes]);
});
