import { MedsafetyError } from "../core/index.js";
import type { Db } from "./database.js";
import { upsertSql } from "./sql-upsert.js";

/** Who works on a run: a random holder id per process, its host and pid, and when it last said it is alive. */
export interface RunLease {
  readonly runId: string;
  readonly holder: string;
  readonly host: string;
  readonly pid: number;
  /** The command that holds it, e.g. "run" or "run --resume". */
  readonly command: string;
  readonly acquiredAt: string;
  readonly heartbeatAt: string;
}

export type LeaseClaim = Pick<RunLease, "holder" | "host" | "pid" | "command">;

export interface LeasePolicy {
  /** A lease whose last heartbeat is older than this is stale and may be taken over. */
  readonly staleAfterMs: number;
  /** This machine's host name: a lease of this host whose process is gone is stale at once. */
  readonly host: string;
  /** Whether a process of this host is still running (e.g. `process.kill(pid, 0)`). */
  readonly isAlive: (pid: number) => boolean;
}

export type LeaseAcquisition =
  | { readonly acquired: true /** The stale lease taken over, if any. */; readonly tookOver?: RunLease }
  | { readonly acquired: false; readonly heldBy: RunLease };

interface LeaseRow {
  run_id: string;
  holder: string;
  host: string;
  pid: number;
  command: string;
  acquired_at: string;
  heartbeat_at: string;
}

/**
 * Run leases (migration 8): at most one process works on a run at a time. Acquiring is one IMMEDIATE transaction,
 * so two processes starting together cannot both win; the holder refreshes its heartbeat, and a lease is stale when
 * its heartbeat is older than the policy allows or, on this host, when its process is gone (after a kill).
 */
export class RunLeaseRepository {
  constructor(private readonly db: Db) {}

  /** Takes the run's lease unless another live process holds it; `run_not_found` when the run is not in the store. */
  acquire(runId: string, claim: LeaseClaim, policy: LeasePolicy, now = new Date()): LeaseAcquisition {
    const take = this.db.transaction((): LeaseAcquisition => {
      if (this.db.prepare("SELECT 1 FROM runs WHERE id = ?").get(runId) === undefined)
        throw new MedsafetyError(
          "run_not_found",
          `Run "${runId}" is not in this store, so it cannot be leased. List runs with \`medsafety runs list\` (and check --store).`,
        );
      const current = this.get(runId);
      if (current !== undefined && current.holder !== claim.holder && !isStale(current, policy, now))
        return { acquired: false, heldBy: current };
      const stamp = now.toISOString();
      this.db
        .prepare(
          upsertSql(
            "run_leases",
            ["run_id", "holder", "host", "pid", "command", "acquired_at", "heartbeat_at"],
            ["run_id"],
          ),
        )
        .run(runId, claim.holder, claim.host, claim.pid, claim.command, stamp, stamp);
      return current === undefined || current.holder === claim.holder
        ? { acquired: true }
        : { acquired: true, tookOver: current };
    });
    return take.immediate();
  }

  /** Refreshes the holder's heartbeat; false when the lease is no longer this holder's (taken over as stale). */
  heartbeat(runId: string, holder: string, now = new Date()): boolean {
    const result = this.db
      .prepare("UPDATE run_leases SET heartbeat_at = ? WHERE run_id = ? AND holder = ?")
      .run(now.toISOString(), runId, holder);
    return result.changes === 1;
  }

  /** Gives the lease up (only the holder's own). */
  release(runId: string, holder: string): void {
    this.db.prepare("DELETE FROM run_leases WHERE run_id = ? AND holder = ?").run(runId, holder);
  }

  get(runId: string): RunLease | undefined {
    const row = this.db.prepare("SELECT * FROM run_leases WHERE run_id = ?").get(runId) as LeaseRow | undefined;
    return row === undefined ? undefined : toLease(row);
  }
}

/** Stale: no heartbeat for `staleAfterMs`, or held by a process of this host that no longer runs. */
export function isStale(lease: RunLease, policy: LeasePolicy, now: Date): boolean {
  if (now.getTime() - Date.parse(lease.heartbeatAt) > policy.staleAfterMs) return true;
  return lease.host === policy.host && !policy.isAlive(lease.pid);
}

function toLease(row: LeaseRow): RunLease {
  return {
    runId: row.run_id,
    holder: row.holder,
    host: row.host,
    pid: row.pid,
    command: row.command,
    acquiredAt: row.acquired_at,
    heartbeatAt: row.heartbeat_at,
  };
}
