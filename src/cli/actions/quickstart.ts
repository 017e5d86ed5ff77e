import { Presets, SingleBar } from "cli-progress";
import { type Config, configSchema } from "../../config/index.js";
import { resolveQuickstartModel } from "../../providers/index.js";
import { DEFAULT_QUICKSTART_LIMIT as DEFAULT_LIMIT } from "../commands/option-values.js";
import { openStores, storePath } from "../open-store.js";
import type { Output } from "../output.js";
import { reportRunEnd } from "../run-end.js";
import { runSession } from "../run-session.js";
import { renderReport } from "./report.js";

/** The options of `quickstart` (its action: actions/quickstart.ts). */
export interface QuickstartOptions {
  model?: string;
  limit?: number;
  all?: boolean;
  language?: "ja" | "en";
  store?: string;
  progress: boolean;
  format: "json" | "table";
}

/** `medsafety quickstart`: the sample benchmark on a local GGUF model (downloaded when needed), then its report. */
export async function quickstartCommand(
  options: QuickstartOptions,
  output: Output,
  setExit: (code: number) => void,
): Promise<void> {
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
