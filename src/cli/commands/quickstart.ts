import { Presets, SingleBar } from "cli-progress";
import { type Command, Option } from "commander";
import { type Config, configSchema } from "../../config/index.js";
import { resolveQuickstartModel } from "../../providers/index.js";
import { openStores, storePath } from "../open-store.js";
import type { Output } from "../output.js";
import { reportRunEnd } from "../run-end.js";
import { runSession } from "../run-session.js";
import { positiveInteger } from "./parse.js";
import { renderReport } from "./report.js";

interface QuickstartOptions {
  model?: string;
  limit?: number;
  all?: boolean;
  language?: "ja" | "en";
  store?: string;
  progress: boolean;
  format: "json" | "table";
}

/** Default number of sample conversations: enough to see every part work in minutes on a laptop CPU. */
const DEFAULT_LIMIT = 4;

export function registerQuickstart(program: Command, output: Output, setExit: (code: number) => void): void {
  program
    .command("quickstart")
    .description("run the built-in sample benchmark on a local GGUF model (target and two judges) and print the report")
    .option("--model <file.gguf>", "local GGUF model (else MEDSAFETY_MODEL, else a small default model is downloaded)")
    .option("--limit <n>", `run only the first n sample conversations (default ${DEFAULT_LIMIT})`, positiveInteger)
    .option("--all", "run all 28 sample conversations")
    .addOption(new Option("--language <language>", "only items in this language").choices(["ja", "en"]))
    .option("--store <path>", "SQLite store (default ./.medsafety/medsafety.db)")
    .option("--no-progress", "no progress bars")
    .addOption(new Option("--format <format>", "report format").choices(["json", "table"]).default("table"))
    .action(async (options: QuickstartOptions) => {
      const model = await resolveQuickstartModel({
        ...(options.model === undefined ? {} : { modelFlag: options.model }),
        env: process.env,
        ...(options.progress && output.isTTY ? { onProgress: downloadProgress() } : {}),
      });
      output.err(`model: ${model.path} (${model.source})`);
      const config = quickstartConfig(model.path, options);
      const path = storePath(options.store, config.store);
      const result = await runSession(
        config,
        {
          storePath: path,
          cache: true,
          progress: options.progress,
          preflight: false,
          retryErrors: false,
        },
        output,
      );
      // The run's end (summary, check, hints) first, so the report is the last thing printed (`--format json | jq`-able tail).
      setExit(reportRunEnd(result, options.store === undefined ? "" : `--store ${options.store}`, output));
      const stores = openStores(path, { mustExist: true });
      try {
        output.out(await renderReport(stores, result.runId, { format: options.format }));
      } finally {
        stores.close();
      }
    });
}

function quickstartConfig(modelPath: string, options: QuickstartOptions): Config {
  const local = { model: `local:${modelPath}`, threads: 1, concurrency: 1 };
  return configSchema.parse({
    benchmark: "builtin:sample",
    targets: [{ id: "local-target", ...local, temperature: 0, maxTokens: 200 }],
    judges: [
      { id: "local-judge-a", ...local, temperature: 0, maxTokens: 200 },
      { id: "local-judge-b", ...local, temperature: 0.4, seed: 7, maxTokens: 200 },
    ],
    store: ".medsafety/medsafety.db",
    concurrency: 1,
    ...(options.all === true ? {} : { limit: options.limit ?? DEFAULT_LIMIT }),
    ...(options.language === undefined ? {} : { languages: [options.language] }),
  });
}

function downloadProgress(): (received: number, total: number | undefined) => void {
  const bar = new SingleBar(
    {
      stream: process.stderr,
      format: "downloading model {bar} {percentage}% | {value}/{total} bytes | ETA {eta_formatted}",
    },
    Presets.shades_classic,
  );
  let started = false;
  return (received, total) => {
    if (!started) {
      bar.start(total ?? 0, 0);
      started = true;
    }
    bar.update(received);
    if (total !== undefined && received >= total) bar.stop();
  };
}
