/**
 * Runs the fixture server from the command line, answering with `defaultFixtureHandler`
 * (`--handler generation`: `generationFixtureHandler`, schema-valid structured answers):
 * `node dist/src/testing/fixture-server-main.js --latency 200 --port 0`; `--prompt-cache` turns on the providers'
 * prompt-cache simulation (`--prompt-cache-minimum 512` for a smaller cacheable prefix than 1,024 tokens). Prints
 * `fixture-server listening <url>` once ready and exits on SIGTERM or SIGINT.
 */
import { defaultFixtureHandler } from "./default-handler.js";
import { startFixtureServer } from "./fixture-server.js";
import { generationFixtureHandler } from "./generation-handler.js";

interface MainArguments {
  readonly latencyMs: number;
  readonly port: number;
}

function readNumberFlag(argv: readonly string[], flag: string, fallback: number): number {
  const index = argv.indexOf(flag);
  if (index < 0) return fallback;
  const value = Number(argv[index + 1]);
  if (!Number.isInteger(value) || value < 0) {
    throw new Error(`${flag} needs a whole number of 0 or more (got "${argv[index + 1] ?? ""}").`);
  }
  return value;
}

function parseArguments(argv: readonly string[]): MainArguments {
  return { latencyMs: readNumberFlag(argv, "--latency", 0), port: readNumberFlag(argv, "--port", 0) };
}

const settings = parseArguments(process.argv.slice(2));
// Not recording: this process may serve millions of requests in a benchmark.
const handlerIndex = process.argv.indexOf("--handler");
const handler =
  handlerIndex >= 0 && process.argv[handlerIndex + 1] === "generation"
    ? generationFixtureHandler
    : defaultFixtureHandler;
const promptCache = process.argv.includes("--prompt-cache")
  ? { minimumTokens: readNumberFlag(process.argv, "--prompt-cache-minimum", 1024) }
  : false;
const server = await startFixtureServer({
  handler,
  latencyMs: settings.latencyMs,
  port: settings.port,
  record: false,
  promptCache,
});
process.stdout.write(`fixture-server listening ${server.url}\n`);

function stop(): void {
  server.close().then(
    () => process.exit(0),
    () => process.exit(1),
  );
}
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
