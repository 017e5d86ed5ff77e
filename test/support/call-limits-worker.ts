/**
 * One "worker" of the shared call limits test (test/e2e/shared-call-limits.test.ts), as a process of its own. It binds
 * the same model twice the way a run does (createChatModel: retry → local limits → shared budgets → the
 * OpenAI-compatible adapter): `shared` with the budgets of the PostgreSQL store at `store` (createCallBudgets: one
 * budget for every process), `own` with budgets in this process's memory and no retry. It makes one warm-up call with
 * each (the AI SDK loads on the first call) and prints `ready`; then for each line on stdin naming a model it makes
 * `calls` calls with it at once and prints one JSON line of {@link CallLimitsWorkerFigures}; `exit` ends it.
 *
 * Run from the sources with the TypeScript loader (`typescriptWorkerUrl`); its last argument is the JSON of
 * {@link CallLimitsWorkerJob}. It imports call-budgets.ts itself, not the library's index, to start in a few seconds.
 */
import { createInterface } from "node:readline";
import { createCallBudgets } from "../../src/library/call-budgets.js";
import { type ChatModel, createChatModel, modelSettingsSchema } from "../../src/providers/index.js";

/** What one worker process does. */
export interface CallLimitsWorkerJob {
  /** The PostgreSQL store whose budgets `shared` uses. */
  readonly store: string;
  /** The fixture server's OpenAI base URL. */
  readonly baseURL: string;
  readonly requestsPerMinute: number;
  readonly concurrency: number;
  /** Calls per round. */
  readonly calls: number;
}

/** What a round prints. */
export interface CallLimitsWorkerFigures {
  readonly ok: number;
  readonly failed: number;
  readonly retried: number;
  readonly firstStart: number;
  readonly lastEnd: number;
}

const job = JSON.parse(process.argv[process.argv.length - 1] ?? "{}") as CallLimitsWorkerJob;
const sharedBudgets = createCallBudgets(job.store);
const ownBudgets = createCallBudgets(undefined);
const bind = (budgets: typeof sharedBudgets, retries: number): ChatModel =>
  createChatModel(
    modelSettingsSchema.parse({
      id: "limited",
      model: "openai-compatible:fixture-model",
      baseURL: job.baseURL,
      requestsPerMinute: job.requestsPerMinute,
      concurrency: job.concurrency,
      retries,
    }),
    {
      env: {},
      budgets,
      local: {
        chatModel: () => {
          throw new Error("no local models here");
        },
      },
    },
  );
const models: Record<string, ChatModel> = { shared: bind(sharedBudgets, 4), own: bind(ownBudgets, 0) };

const call = (model: ChatModel, content: string, onRetry?: () => void) =>
  model.generate({ messages: [{ role: "user", content }], maxTokens: 8 }, onRetry === undefined ? {} : { onRetry });

async function round(model: ChatModel): Promise<CallLimitsWorkerFigures> {
  let ok = 0;
  let failed = 0;
  let retried = 0;
  const firstStart = Date.now();
  await Promise.all(
    Array.from({ length: job.calls }, (_, index) =>
      call(model, `call ${index}`, () => {
        retried += 1;
      }).then(
        () => {
          ok += 1;
        },
        () => {
          failed += 1;
        },
      ),
    ),
  );
  return { ok, failed, retried, firstStart, lastEnd: Date.now() };
}

for (const model of Object.values(models)) await call(model, "warm-up");
process.stdout.write("ready\n");
for await (const line of createInterface({ input: process.stdin })) {
  const model = models[line.trim()];
  if (model === undefined) break;
  process.stdout.write(`${JSON.stringify(await round(model))}\n`);
}
for (const model of Object.values(models)) await model.close();
await sharedBudgets.close();
await ownBudgets.close();
