import { describe, expect, it } from "vitest";
import { MedsafetyError } from "../core/index.js";
import { openStore } from "./database.js";
import { type LeasePolicy, RunLeaseRepository } from "./run-lease-repository.js";
import { RunRepository } from "./run-repository.js";

const T0 = new Date("2026-01-01T00:00:00.000Z");
const at = (seconds: number): Date => new Date(T0.getTime() + seconds * 1000);
const policy = (alive: boolean, host = "here"): LeasePolicy => ({ staleAfterMs: 60_000, host, isAlive: () => alive });

function leases(): RunLeaseRepository {
  const { db } = openStore(":memory:");
  new RunRepository(db).create({
    id: "run-1",
    config: {},
    configHash: "h",
    datasetSource: "b",
    datasetHash: "d",
    itemCount: 0,
    rubrics: [],
    packageVersion: "0",
  });
  return new RunLeaseRepository(db);
}

const first = { holder: "a", host: "there", pid: 11, command: "run" };
const second = { holder: "b", host: "here", pid: 22, command: "run --resume" };

describe("RunLeaseRepository", () => {
  it("refuses a second holder while the first one's heartbeat is fresh, and names the holder", () => {
    const repository = leases();
    expect(repository.acquire("run-1", first, policy(true), T0)).toEqual({ acquired: true });
    expect(repository.heartbeat("run-1", "a", at(50))).toBe(true);
    expect(repository.acquire("run-1", second, policy(true), at(100))).toMatchObject({
      acquired: false,
      heldBy: { holder: "a", host: "there", pid: 11, heartbeatAt: at(50).toISOString() },
    });
  });

  it("lets a second holder take over a lease whose heartbeat expired; the first then finds it lost", () => {
    const repository = leases();
    repository.acquire("run-1", first, policy(true), T0);
    const taken = repository.acquire("run-1", second, policy(true), at(61));
    expect(taken).toMatchObject({ acquired: true, tookOver: { holder: "a", pid: 11 } });
    expect(repository.heartbeat("run-1", "a", at(62))).toBe(false);
    expect(repository.get("run-1")?.holder).toBe("b");
  });

  it("takes over at once a lease of this host whose process is gone (killed), but not one of another host", () => {
    const repository = leases();
    repository.acquire("run-1", { ...first, host: "here" }, policy(true), T0);
    expect(repository.acquire("run-1", second, policy(false, "here"), at(1))).toMatchObject({
      acquired: true,
      tookOver: { pid: 11 },
    });
    const other = leases();
    other.acquire("run-1", first, policy(true), T0);
    expect(other.acquire("run-1", second, policy(false, "here"), at(1)).acquired).toBe(false);
  });

  it("re-acquires its own lease, and release frees it for anyone", () => {
    const repository = leases();
    repository.acquire("run-1", first, policy(true), T0);
    expect(repository.acquire("run-1", first, policy(true), at(1))).toEqual({ acquired: true });
    repository.release("run-1", "b");
    expect(repository.get("run-1")?.holder).toBe("a");
    repository.release("run-1", "a");
    expect(repository.acquire("run-1", second, policy(true), at(2))).toEqual({ acquired: true });
  });

  it("refuses a run that is not in the store with run_not_found naming the run, and stores no lease", () => {
    const repository = leases();
    let thrown: unknown;
    try {
      repository.acquire("run-missing", first, policy(true), T0);
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(MedsafetyError);
    expect(thrown).toMatchObject({ code: "run_not_found", message: expect.stringContaining('"run-missing"') });
    expect(repository.get("run-missing")).toBeUndefined();
  });
});
