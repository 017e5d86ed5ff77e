import { once } from "node:events";
import { createWriteStream, mkdirSync, openSync, renameSync, type WriteStream } from "node:fs";
import { dirname, resolve } from "node:path";

/**
 * A JSONL output written as `<out>.partial` and renamed to `<out>` only when the job succeeds, so a crashed or
 * cancelled job never leaves a file that looks complete. Lines are streamed (with backpressure): memory stays flat.
 */
export class PartialFile {
  readonly path: string;
  readonly partialPath: string;
  private readonly stream: WriteStream;
  private lines = 0;
  private failure: Error | undefined;
  /** One wait for 'drain' shared by every writer (thousands of tasks may write at once). */
  private drained: Promise<unknown> | undefined;

  constructor(path: string) {
    this.path = resolve(path);
    this.partialPath = `${this.path}.partial`;
    mkdirSync(dirname(this.path), { recursive: true });
    // Opened now (not on the next tick): an unwritable path fails here, before any model is called.
    this.stream = createWriteStream(this.partialPath, { fd: openSync(this.partialPath, "w"), encoding: "utf8" });
    this.stream.on("error", (error) => {
      this.failure = error;
    });
  }

  get lineCount(): number {
    return this.lines;
  }

  /** Appends one JSON value as a line; waits when the stream's buffer is full. */
  async writeJson(value: unknown): Promise<void> {
    if (this.failure !== undefined) throw this.failure;
    this.lines += 1;
    if (this.stream.write(`${JSON.stringify(value)}\n`)) return;
    this.drained ??= once(this.stream, "drain").finally(() => {
      this.drained = undefined;
    });
    await this.drained;
  }

  /** Closes the partial file and renames it to the final path. */
  async commit(): Promise<void> {
    await this.close();
    if (this.failure !== undefined) throw this.failure;
    renameSync(this.partialPath, this.path);
  }

  /** Closes the partial file and leaves it (a cancelled or failed job): the final path is not touched. */
  async close(): Promise<void> {
    if (this.stream.closed) return;
    this.stream.end();
    await once(this.stream, "close");
  }
}
