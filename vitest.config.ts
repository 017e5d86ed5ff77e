import { defineConfig } from "vitest/config";

/**
 * Three tiers, all run by `npm test` (and so by CI); each alone with `npm run test:unit | test:e2e | test:slow`.
 * - unit: tests beside the code, the test kit's own tests and the architecture test; nothing outside the repository.
 * - e2e: the CLI against fixture servers, mostly in-process (test/support/in-process-cli.ts); a spawned
 *   `bin/medsafety.js` (the built dist/) where a process is what is tested: signals, the real binary's exit codes,
 *   worker threads, `view`, `quickstart`.
 * - slow: what needs the machine's shared data or a browser: the real MedSafetyBench files (../shared/data), the tiny
 *   GGUF models (../shared/models), Chromium; and the packed-package test (npm pack, then tsc on a user program).
 *
 * Forked processes, two at a time on a 2-core machine (Vitest's default is one fewer than the cores). Worker threads
 * would not do: the in-process CLI changes the working directory, which a worker thread cannot. unit and e2e files
 * share a process per worker one after another (isolate: false: the modules, among them the whole CLI, are loaded once
 * per worker instead of once per file); a file that changes process-wide state (working directory, environment,
 * timers, listeners) restores it, and in-process CLI commands run one at a time. slow files stay isolated (a native
 * model runtime, a browser).
 */
const SLOW = [
  "src/datasets/medsafetybench.test.ts",
  "src/providers/embedding-model.test.ts",
  "src/providers/local-model.test.ts",
  "src/providers/local-model-contract.test.ts",
  "src/training-data/export-sft.test.ts",
  "test/e2e/export-sft.test.ts",
  "test/e2e/import.test.ts",
  "test/e2e/library-pack.test.ts",
  "test/e2e/medsafetybench-run.test.ts",
  "test/e2e/quickstart-gguf.test.ts",
  "test/e2e/report-html.test.ts",
  "test/e2e/view.test.ts",
];

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    maxWorkers: 2,
    projects: [
      {
        extends: true,
        test: {
          name: "unit",
          include: ["src/**/*.test.ts", "test/architecture.test.ts", "test/support/**/*.test.ts"],
          exclude: SLOW,
          isolate: false,
          // One PostgreSQL cluster per run, started when a file first asks, shared with e2e (test/support/postgres.ts).
          globalSetup: ["test/support/postgres-setup.ts"],
        },
      },
      {
        extends: true,
        test: {
          name: "e2e",
          include: ["test/e2e/**/*.test.ts"],
          exclude: SLOW,
          isolate: false,
          globalSetup: ["test/support/fixture-stores-setup.ts", "test/support/postgres-setup.ts"],
        },
      },
      {
        extends: true,
        test: {
          name: "slow",
          include: SLOW,
          globalSetup: ["test/support/fixture-stores-setup.ts"],
        },
      },
    ],
  },
});
