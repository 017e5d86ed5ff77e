import { visibleControls } from "./terminal-text.js";

/** Where a command writes: injectable so tests and the CLI share one code path. */
export interface Output {
  out(text: string): void;
  err(text: string): void;
  readonly isTTY: boolean;
}

/**
 * The process's standard output and error. Every line passes {@link visibleControls} here, the one place the CLI
 * writes to the terminal, so no command can let an escape sequence or bidi override from a server, a model or a
 * benchmark file reach it; files written with `--out` are written elsewhere and keep the data unchanged.
 */
export const processOutput: Output = {
  out: (text) => process.stdout.write(`${visibleControls(text)}\n`),
  err: (text) => process.stderr.write(`${visibleControls(text)}\n`),
  isTTY: process.stderr.isTTY === true,
};

/** The two streams {@link endQuietlyOnClosedPipe} watches (the process's own unless a test passes others). */
export interface StandardStreams {
  readonly stdout: NodeJS.WritableStream;
  readonly stderr: NodeJS.WritableStream;
}

/**
 * A reader that stops early (`medsafety … | head -1`) closes the pipe, and the next write fails with EPIPE. That is
 * the reader's choice, not a failure: the command ends at once with exit code 0 and prints nothing (as `head` and a
 * `set -o pipefail` shell expect). Any other write error on standard output ends it with exit code 1 and one line on
 * standard error. Installed once by `bin/medsafety.js` before the command runs.
 */
export function endQuietlyOnClosedPipe(
  streams: StandardStreams = { stdout: process.stdout, stderr: process.stderr },
  exit: (code: number) => void = (code) => process.exit(code),
): void {
  const { stdout, stderr } = streams;
  stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE")
      stderr.write(
        `${visibleControls(`medsafety: cannot write to standard output (${error.code ?? "error"}): ${error.message}`)}\n`,
      );
    exit(error.code === "EPIPE" ? 0 : 1);
  });
  // Nothing can be said once standard error itself is gone.
  stderr.on("error", (error: NodeJS.ErrnoException) => exit(error.code === "EPIPE" ? 0 : 1));
}
