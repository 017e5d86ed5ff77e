import { existsSync } from "node:fs";
import type { Command } from "commander";
import { type LoadedConfig, loadConfig } from "../../config/index.js";
import { storePath } from "../open-store.js";
import type { Output } from "../output.js";
import { reportRunEnd } from "../run-end.js";
import { runSession } from "../run-session.js";
import { positiveInteger, positiveSeconds } from "./parse.js";

interface RunOptions {
  config: string;
  resume?: string;
  retryErrors?: boolean;
  cache: boolean;
  progress: boolean;
  progressInterval?: number;
  preflight: boolean;
  store?: string;
  concurrency?: number;
}

export function registerRun(program: Command, output: Output, setExit: (code: number) => void): void {
  program
    .command("run")
    .description("run the benchmark against every target and judge every turn (or resume a run)")
    .option("-c, --config <file>", "config file (with --resume: only where the store is)", "medsafety.config.yaml")
    .option("--resume <run>", "continue a run (id, id prefix or 'latest') after a crash or Ctrl-C")
    .option("--retry-errors", "with --resume: call again the turns and judgments that failed")
    .option("--no-cache", "do not reuse stored responses for identical requests")
    .option("--no-progress", "no progress display")
    .option(
      "--progress-interval <seconds>",
      "when stderr is not a terminal: seconds between progress lines (default 30)",
      positiveSeconds,
    )
    .option("--no-preflight", "do not check that configured servers answer before starting")
    .option("--skip-preflight", "same as --no-preflight")
    .option("--store <path>", "SQLite store (default: the config's store)")
    .option("--concurrency <n>", "most LLM calls in flight (default: the config's)", positiveInteger)
    .action(async (options: RunOptions & { skipPreflight?: boolean }, command: Command) => {
      const resuming = options.resume !== undefined;
      const explicitConfig = command.getOptionValueSource("config") === "cli";
      // A resumed run uses its frozen config; the config file still says which store holds it (-c other.yaml).
      const loaded: LoadedConfig | undefined =
        !resuming || explicitConfig || existsSync(options.config) ? loadConfig(options.config) : undefined;
      const result = await runSession(
        resuming ? undefined : loaded?.config,
        {
          storePath: storePath(options.store, loaded?.config.store),
          cache: options.cache,
          progress: options.progress,
          ...(options.progressInterval === undefined ? {} : { progressIntervalMs: options.progressInterval * 1000 }),
          preflight: options.preflight && options.skipPreflight !== true,
          retryErrors: options.retryErrors === true,
          ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
          ...(options.resume === undefined ? {} : { resumeRunId: options.resume }),
          ...(loaded === undefined || resuming ? {} : { configPath: loaded.path, lineOf: loaded.lineOf }),
        },
        output,
      );
      setExit(reportRunEnd(result, storeFlags(options, loaded), output));
    });
}

/** The flags that name the store this run used, for the hints printed after it (`--store` wins, as in storePath). */
export function storeFlags(
  options: { readonly store?: string; readonly config: string },
  loaded: LoadedConfig | undefined,
): string {
  if (options.store !== undefined) return `--store ${shellWord(options.store)}`;
  if (process.env["MEDSAFETY_STORE"] !== undefined) return `--store ${shellWord(process.env["MEDSAFETY_STORE"])}`;
  if (loaded !== undefined) return `-c ${shellWord(options.config)}`;
  return "";
}

/** A path as one shell word (quoted when it holds anything but plain path characters). */
function shellWord(value: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`;
}
