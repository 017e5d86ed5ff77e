import type { Db } from "./database.js";

/** A process working on the store's queue (migration 9), as `runs show` lists it. */
export interface WorkerRecord {
  readonly id: string;
  readonly host: string;
  readonly pid: number;
  readonly startedAt: string;
  readonly heartbeatAt: string;
  /** The run of the latest job it took (null before its first). */
  readonly runId: string | null;
  /** Jobs it completed, over all runs. */
  readonly jobsDone: number;
  /** Jobs whose handler failed (delivered again), over all runs. */
  readonly errors: number;
  readonly stoppedAt: string | null;
  readonly state: "running" | "stopped";
}

interface WorkerRow {
  id: string;
  host: string;
  pid: number;
  started_at: string;
  heartbeat_at: string;
  run_id: string | null;
  jobs_done: number;
  errors: number;
  stopped_at: string | null;
  state: "running" | "stopped";
}

/**
 * The workers of a PostgreSQL store (`medsafety worker`, and `run` working on its own jobs): each registers when it
 * starts, beats every few seconds, counts its jobs and marks itself stopped when it ends. A worker killed without
 * stopping stays `running` with an old heartbeat: readers judge liveness by the heartbeat.
 */
export class WorkerRepository {
  constructor(private readonly db: Db) {}

  register(worker: { readonly id: string; readonly host: string; readonly pid: number }, now = new Date()): void {
    const stamp = now.toISOString();
    this.db
      .prepare(
        `INSERT INTO workers (id, host, pid, started_at, heartbeat_at, run_id, jobs_done, errors, stopped_at, state)
         VALUES (?, ?, ?, ?, ?, NULL, 0, 0, NULL, 'running')`,
      )
      .run(worker.id, worker.host, worker.pid, stamp, stamp);
  }

  heartbeat(id: string, now = new Date()): void {
    this.db.prepare("UPDATE workers SET heartbeat_at = ? WHERE id = ?").run(now.toISOString(), id);
  }

  /**
   * The worker took a job of `runId`: from now it is one of the run's workers (`runs show`), even if the run is
   * cancelled before it completes a job.
   */
  recordTaken(id: string, runId: string, now = new Date()): void {
    this.db.prepare("UPDATE workers SET run_id = ?, heartbeat_at = ? WHERE id = ?").run(runId, now.toISOString(), id);
  }

  /** Counts one job of `runId`: completed, or failed (`error`, its handler crashed). */
  recordJob(id: string, runId: string, outcome: "done" | "error", now = new Date()): void {
    const column = outcome === "done" ? "jobs_done" : "errors";
    this.db
      .prepare(`UPDATE workers SET ${column} = ${column} + 1, run_id = ?, heartbeat_at = ? WHERE id = ?`)
      .run(runId, now.toISOString(), id);
  }

  stop(id: string, now = new Date()): void {
    const stamp = now.toISOString();
    this.db
      .prepare("UPDATE workers SET state = 'stopped', stopped_at = ?, heartbeat_at = ? WHERE id = ?")
      .run(stamp, stamp, id);
  }

  get(id: string): WorkerRecord | undefined {
    const row = this.db.prepare("SELECT * FROM workers WHERE id = ?").get(id) as WorkerRow | undefined;
    return row === undefined ? undefined : toRecord(row);
  }

  /** Workers whose latest job taken was of `runId` (every worker without it), oldest first. */
  list(runId?: string): WorkerRecord[] {
    const rows = (
      runId === undefined
        ? this.db.prepare("SELECT * FROM workers ORDER BY started_at, id").all()
        : this.db.prepare("SELECT * FROM workers WHERE run_id = ? ORDER BY started_at, id").all(runId)
    ) as WorkerRow[];
    return rows.map(toRecord);
  }

  /** Workers in a state (default: all). */
  count(state?: "running" | "stopped"): number {
    return (
      state === undefined
        ? this.db.prepare("SELECT COUNT(*) FROM workers").pluck().get()
        : this.db.prepare("SELECT COUNT(*) FROM workers WHERE state = ?").pluck().get(state)
    ) as number;
  }
}

function toRecord(row: WorkerRow): WorkerRecord {
  return {
    id: row.id,
    host: row.host,
    pid: row.pid,
    startedAt: row.started_at,
    heartbeatAt: row.heartbeat_at,
    runId: row.run_id,
    jobsDone: row.jobs_done,
    errors: row.errors,
    stoppedAt: row.stopped_at,
    state: row.state,
  };
}
