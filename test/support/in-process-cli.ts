/**
 * The CLI run in the test's own process: `main()` from src/ (the code `bin/medsafety.js` runs from dist/), with its
 * output captured instead of written. No process start-up per command, so most e2e checks (display, validation,
 * report maths) run this way; signals, worker threads, `view` and the real binary's exit codes keep a spawned
 * process (test/e2e/cli-harness.ts `runCli`).
 *
 * `main()` reads the working directory and the environment of the process, so a command here changes both for its
 * duration. Commands are therefore run one at a time per process (a queue), and the tiers run in forked processes
 * (vitest.config.ts: pool "forks"), never in worker threads that share a process with another test file.
 */
import { main } from "../../src/cli/index.js";
import { visibleControls } from "../../src/cli/terminal-text.js";

export interface InProcessResult {
  /** The exit code `bin/medsafety.js` would set. */
  readonly code: number;
  /** Never a signal: signals need a real process. Present so results compare with a spawned `CliResult`. */
  readonly signal: null;
  /** What the process would print on standard output: every line as `processOutput` writes it (controls shown, `\n` after each). */
  readonly stdout: string;
  readonly stderr: string;
}

export interface InProcessOptions {
  readonly cwd: string;
  /** Variables set (or, when `undefined`, removed) for the command, as a spawned process would get them. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

let queue: Promise<unknown> = Promise.resolve();

/** Runs `task` after every command started before it has finished (one `main()` at a time in this process). */
function serialized<T>(task: () => Promise<T>): Promise<T> {
  const result = queue.then(task, task);
  queue = result.catch(() => undefined);
  return result;
}

/** Sets `changes` in process.env and returns a function that restores what was there. */
function withEnv(changes: Readonly<Record<string, string | undefined>>): () => void {
  const saved = Object.keys(changes).map((name) => [name, process.env[name]] as const);
  for (const [name, value] of Object.entries(changes)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
  return () => {
    for (const [name, value] of saved) {
      if (value === undefined) delete process.env[name];
      else process.env[name] = value;
    }
  };
}

async function inDirectory<T>(
  cwd: string,
  env: Readonly<Record<string, string | undefined>>,
  task: () => Promise<T>,
): Promise<T> {
  const previous = process.cwd();
  const restoreEnv = withEnv(env);
  process.chdir(cwd);
  try {
    return await task();
  } finally {
    process.chdir(previous);
    restoreEnv();
  }
}

/**
 * Runs `medsafety <args>` in-process in `options.cwd`, with the environment a spawned CLI gets from `runCli`
 * (NO_COLOR=1, MEDSAFETY_STORE unset unless given), and returns what the process would have printed.
 */
export function runInProcess(args: readonly string[], options: InProcessOptions): Promise<InProcessResult> {
  const env = { NO_COLOR: "1", MEDSAFETY_STORE: undefined, ...options.env };
  return serialized(() =>
    inDirectory(options.cwd, env, async () => {
      let stdout = "";
      let stderr = "";
      const code = await main(["node", "medsafety", ...args], {
        out: (text) => (stdout += `${visibleControls(text)}\n`),
        err: (text) => (stderr += `${visibleControls(text)}\n`),
        isTTY: false,
      });
      return { code, signal: null, stdout, stderr };
    }),
  );
}

/** Runs the CLI in-process (same code path as bin/medsafety.js) in `cwd`, capturing what it prints, lines joined. */
export function runMain(
  args: readonly string[],
  cwd: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return serialized(() =>
    inDirectory(cwd, {}, async () => {
      const out: string[] = [];
      const err: string[] = [];
      const code = await main(["node", "medsafety", ...args], {
        out: (text) => out.push(text),
        err: (text) => err.push(text),
        isTTY: false,
      });
      return { code, stdout: out.join("\n"), stderr: err.join("\n") };
    }),
  );
}

/** A config binding a target, a judge and three attackers (atk-a, atk-b, atk-bad → model bad-attacker) on a fixture server, plus `extra`. */
export function pipelineConfig(baseURL: string, extra = ""): string {
  const model = (id: string, name = id): string =>
    `{ id: ${id}, model: "openai-compatible:${name}", baseURL: "${baseURL}", retries: 0 }`;
  return `targets: [${model("target")}]
judges: [${model("judge")}]
store: ./store.db
concurrency: 4
attackers: [${model("atk-a")}, ${model("atk-b")}, ${model("atk-bad", "bad-attacker")}]
${extra}`;
}
