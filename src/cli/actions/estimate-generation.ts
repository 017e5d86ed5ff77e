import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { loadConfig } from "../../config/index.js";
import { GenerationPlanner } from "../../library/index.js";
import type { GenerationFlags } from "../generation-session.js";
import { storePath } from "../open-store.js";
import type { Output } from "../output.js";
import { observedIn, printEstimate } from "./estimate.js";

/** The files a generation command writes, which an estimate sends to a temporary folder. */
interface OutputFlags {
  out?: string;
  audit?: string;
}

/** Prints nothing: the command's own summary describes placeholder answers, not a result. */
const QUIET: Output = { out: () => undefined, err: () => undefined, isTTY: false };

/**
 * `--estimate` of a generation command: runs the command itself with its roles answering as planning models (library
 * `GenerationPlanner`: no model is called), its generation run recorded in an in-memory store, and its output files
 * in a temporary folder that is removed after; then prints the planned calls, tokens, money and time. The store is
 * only read, for the means of earlier calls.
 */
export async function estimateGeneration<Flags extends GenerationFlags & OutputFlags>(
  command: string,
  flags: Flags,
  output: Output,
  run: (planned: Flags, quiet: Output) => Promise<void>,
): Promise<void> {
  const loaded = loadConfig(flags.config);
  const planner = await GenerationPlanner.create({ observed: observedIn(storePath(flags.store, loaded.config.store)) });
  const folder = mkdtempSync(join(tmpdir(), "medsafety-estimate-"));
  try {
    await run(
      {
        ...flags,
        progress: false,
        estimatePlan: {
          pipeline: (models, config) => planner.pipeline(models, config),
          discovery: (models, threshold) => planner.discovery(models, threshold),
        },
        ...(flags.out === undefined ? {} : { out: join(folder, "out.jsonl") }),
        ...(flags.audit === undefined ? {} : { audit: join(folder, "audit.jsonl") }),
      },
      QUIET,
    );
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
  printEstimate(output, planner.estimate(command, flags.concurrency ?? loaded.config.concurrency));
}
