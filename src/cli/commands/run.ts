import type { Command } from "commander";
import { loadConfig } from "../../config/index.js";
import type { Output } from "../output.js";
import { storePath } from "../open-store.js";
import { runSession } from "../run-session.js";
import { positiveInteger } from "./parse.js";

interface RunOptions {
  config: string;
  resume?: string;
  retryErrors?: boolean;
  cache: boolean;
  progress: boolean;
  preflight: boolean;
  store?: string;
  concurrency?: number;
}

export function registerRun(program: Command, output: Output, setExit: (code: number) => void): void {
  program
    .command("run")
    .description("run the benchmark against every target and judge every turn (or resume a run)")
    .option("-c, --config <file>", "config file", "medsafety.config.yaml")
    .option("--resume <run>", "continue a run (id, id prefix or 'latest') after a crash or Ctrl-C")
    .option("--retry-errors", "with --resume: call again the turns and judgments that failed")
    .option("--no-cache", "do not reuse stored responses for identical requests")
    .option("--no-progress", "no progress bar")
    .option("--no-preflight", "do not check that configured servers answer before starting")
    .option("--skip-preflight", "same as --no-preflight")
    .option("--store <path>", "SQLite store (default: the config's store)")
    .option("--concurrency <n>", "most LLM calls in flight (default: the config's)", positiveInteger)
    .action(async (options: RunOptions & { skipPreflight?: boolean }) => {
      const resuming = options.resume !== undefined;
      const loaded = resuming ? undefined : loadConfig(options.config);
      const result = await runSession(loaded?.config, {
        storePath: storePath(options.store, loaded?.config.store),
        cache: options.cache,
        progress: options.progress && output.isTTY,
        preflight: options.preflight && options.skipPreflight !== true,
        retryErrors: options.retryErrors === true,
        ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
        ...(options.resume === undefined ? {} : { resumeRunId: options.resume }),
        ...(loaded === undefined ? {} : { configPath: loaded.path, lineOf: loaded.lineOf }),
      }, output);
      output.out(`run ${result.runId}: ${result.status}`);
      output.out(`report: npx medsafety report --run ${result.runId}`);
      if (result.status === "cancelled") {
        output.out(`resume: npx medsafety run --resume ${result.runId}`);
        setExit(130);
      }
    });
}
