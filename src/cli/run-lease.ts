import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { MedsafetyError } from "../core/index.js";
import { type Db, type RunLease, RunLeaseRepository } from "../store/index.js";

/** How often the holder refreshes its lease, and when a silent lease counts as stale (decision 0011). */
export const LEASE_HEARTBEAT_MS = 10_000;
export const LEASE_STALE_AFTER_MS = 60_000;

export interface HeldLease {
  /** The lease taken over from a process that stopped (killed, crashed), if any. */
  readonly tookOver: RunLease | undefined;
  /** Stops the heartbeat and gives the lease up. Safe to call twice. */
  release(): void;
}

export interface LeaseOptions {
  /** Called once if the lease is lost (another process took it over as stale): the caller stops starting calls. */
  readonly onLost: (holder: RunLease | undefined) => void;
  readonly heartbeatMs?: number;
  readonly staleAfterMs?: number;
  readonly now?: () => Date;
}

/**
 * Takes the lease of a run for this process, or throws `run_busy` naming the process that holds it. While held, a
 * timer refreshes the heartbeat; a lease found taken over calls `onLost`.
 */
export function holdRunLease(db: Db, runId: string, command: string, options: LeaseOptions): HeldLease {
  const leases = new RunLeaseRepository(db);
  const now = options.now ?? (() => new Date());
  const staleAfterMs = options.staleAfterMs ?? LEASE_STALE_AFTER_MS;
  const claim = { holder: randomUUID(), host: hostname(), pid: process.pid, command };
  const result = leases.acquire(runId, claim, { staleAfterMs, host: claim.host, isAlive: processIsAlive }, now());
  if (!result.acquired) throw busy(runId, result.heldBy, staleAfterMs, now());
  let lost = false;
  const timer = setInterval(() => {
    if (lost) return;
    let kept: boolean;
    try {
      kept = leases.heartbeat(runId, claim.holder, now());
    } catch {
      return; // a busy or failing store: the next beat tries again; staleness is judged by time, generously
    }
    if (!kept) {
      lost = true;
      options.onLost(leases.get(runId));
    }
  }, options.heartbeatMs ?? LEASE_HEARTBEAT_MS);
  timer.unref();
  let released = false;
  return {
    tookOver: result.tookOver,
    release: () => {
      if (released) return;
      released = true;
      clearInterval(timer);
      leases.release(runId, claim.holder);
    },
  };
}

/** The message a second process gets: who holds the run, since when, and what to do. */
export function busy(runId: string, holder: RunLease, staleAfterMs: number, now: Date): MedsafetyError {
  const seconds = Math.max(0, Math.round((now.getTime() - Date.parse(holder.heartbeatAt)) / 1000));
  return new MedsafetyError(
    "run_busy",
    `Run ${runId} is being worked on by another process: pid ${holder.pid} on host ${holder.host} ("medsafety ${holder.command}", since ${holder.acquiredAt}, last heartbeat ${seconds} s ago). ` +
      `Two processes on one run would send calls twice and corrupt it. Wait for that process to finish, or stop it (Ctrl-C in its terminal, or kill ${holder.pid} on ${holder.host}); ` +
      `if it is gone, its lease expires ${Math.round(staleAfterMs / 1000)} s after its last heartbeat (at once on the same host), then resume again.`,
  );
}

/** Whether a process of this host runs (signal 0 checks without signalling; EPERM means it runs as another user). */
export function processIsAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}
