/**
 * Fixture runs built once per test run and copied into each test's project, instead of every test file running the
 * same scenario again. The first test file that asks for a store builds it (in-process CLI against a fixture server
 * in that process) under the folder the e2e project's global setup made; files in other workers wait for it. A
 * store is built only when asked for, so running one file costs no other file's fixtures.
 *
 * The stored run config names the builder's fixture server, which is gone once the store is built: a test that calls
 * models again (resume, the safe responder, a second run) builds its own run instead.
 */
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { inject } from "vitest";
import { type FixtureHandler, startFixtureServer } from "../../src/testing/index.js";
import { runInProcess } from "./in-process-cli.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** A temporary folder for this test run's shared fixture stores (test/support/fixture-stores-setup.ts). */
    fixtureStoreRoot: string;
  }
}

/** How to build a store: the benchmark items, the config (given the fixture server's base URL) and its answers. */
export interface FixtureRunRecipe {
  readonly items: readonly unknown[];
  readonly config: (baseURL: string) => string;
  readonly handler: FixtureHandler;
}

/** What a built store holds: its runs' ids, in the order they were run. */
export interface FixtureStore {
  readonly runIds: readonly string[];
}

const WAIT_MS = 240_000;

function writeJsonl(path: string, rows: readonly unknown[]): void {
  writeFileSync(path, rows.map((row) => `${JSON.stringify(row)}\n`).join(""), "utf8");
}

async function build(folder: string, recipe: FixtureRunRecipe): Promise<FixtureStore> {
  const server = await startFixtureServer({ handler: recipe.handler, record: false });
  try {
    writeJsonl(join(folder, "bench.jsonl"), recipe.items);
    writeFileSync(join(folder, "medsafety.config.yaml"), recipe.config(server.openaiBaseURL));
    const result = await runInProcess(["run", "-c", "medsafety.config.yaml", "--no-progress"], { cwd: folder });
    if (result.code !== 0) throw new Error(`the fixture run failed (exit ${result.code}):\n${result.stderr}`);
    const runId = /^run id: (\S+)$/m.exec(result.stdout)?.[1];
    if (runId === undefined) throw new Error(`no run id in the fixture run's output:\n${result.stdout}`);
    return { runIds: [runId] };
  } finally {
    await server.close();
  }
}

async function waitFor(path: string, failed: string): Promise<void> {
  const started = Date.now();
  while (!existsSync(path)) {
    if (existsSync(failed))
      throw new Error(`building the fixture store failed in another test file:\n${readFileSync(failed, "utf8")}`);
    if (Date.now() - started > WAIT_MS) throw new Error(`waited ${WAIT_MS} ms for the fixture store ${path}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Copies the store of fixture run `name` (built from `recipe` the first time any test file asks for it in this test
 * run) into `project` as `store.db`, and returns its run ids. `name` must always be given with the same recipe.
 */
export async function copyFixtureStore(name: string, recipe: FixtureRunRecipe, project: string): Promise<FixtureStore> {
  const folder = join(inject("fixtureStoreRoot"), name);
  const done = join(folder, "store.json");
  const failed = join(folder, "failed.txt");
  let building = false;
  try {
    mkdirSync(folder);
    building = true;
  } catch {
    // Another test file builds it (or has).
  }
  if (building) {
    try {
      writeFileSync(done, JSON.stringify(await build(folder, recipe)));
    } catch (error) {
      writeFileSync(failed, error instanceof Error ? (error.stack ?? error.message) : String(error));
      throw error;
    }
  } else {
    await waitFor(done, failed);
  }
  copyFileSync(join(folder, "store.db"), join(project, "store.db"));
  return JSON.parse(readFileSync(done, "utf8")) as FixtureStore;
}
