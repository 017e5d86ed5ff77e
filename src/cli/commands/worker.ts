import { type Command, InvalidArgumentError } from "commander";
import type { WorkerCommandOptions } from "../actions/worker.js";
import type { Output } from "../output.js";
import { positiveInteger } from "./parse.js";

/** `--bind id.baseURL=http://…` (repeatable): where this machine reaches a model, by binding id. */
export function bindingFlag(value: string, previous: Readonly<Record<string, string>> = {}): Record<string, string> {
  const match = /^([A-Za-z0-9][A-Za-z0-9._-]*)\.baseURL=(\S+)$/.exec(value);
  if (match === null)
    throw new InvalidArgumentError("expected <binding id>.baseURL=<url>, e.g. qwen.baseURL=http://gpu-3:8000/v1");
  return { ...previous, [match[1] as string]: match[2] as string };
}

export function registerWorker(program: Command, output: Output, setExit: (code: number) => void): void {
  program
    .command("worker")
    .description("work on the queue of a PostgreSQL store: run the conversations of its started runs (any machine)")
    .option("--store <url>", "PostgreSQL store, postgres://user@host/database (default: MEDSAFETY_STORE)")
    .option("--targets <ids>", "serve only these targets, comma-separated (default: every target of every run)")
    .option("--bind <id.baseURL=url>", "reach a model at this URL from this machine (repeatable)", bindingFlag)
    .option("--concurrency <n>", "most LLM calls in flight (default 8)", positiveInteger)
    .option("--exit-when-idle", "exit when no job of the runs it serves is waiting or active")
    .action(async (options: WorkerCommandOptions) => {
      const { workerCommand } = await import("../actions/worker.js");
      setExit(await workerCommand(options, output));
    });
}
