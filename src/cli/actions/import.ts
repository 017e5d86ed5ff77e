import { once } from "node:events";
import { createWriteStream, mkdirSync, mkdtempSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, isAbsolute, join, relative, resolve } from "node:path";
import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ReadableStream as WebReadableStream } from "node:stream/web";
import pLimit from "p-limit";
import { errorMessage, InputError, MedsafetyError } from "../../core/index.js";
import {
  type BenchmarkItem,
  MEDSAFETYBENCH_REPOSITORY,
  MEDSAFETYBENCH_SOURCES,
  MEDSAFETYBENCH_SPLITS,
  type MedSafetyBenchOptions,
  type MedSafetyBenchSummary,
  medSafetyBenchFiles,
  readFineTuningSplitItems,
  readMedSafetyBench,
} from "../../datasets/index.js";
import type { Output } from "../output.js";

export interface ImportMedSafetyBenchOptions {
  out: string;
  split: "test" | "train" | "all";
  source: "gpt4" | "llama2" | "all";
  includeLlama3?: boolean;
  ftSplit?: string;
}

/** Per-file download timeout: the largest file (a Llama-3 list) is about 1.1 MB. */
const DOWNLOAD_TIMEOUT_MS = 60_000;

/** `medsafety import medsafetybench <dir|url>`: MedSafetyBench (a clone, or downloaded) as benchmark JSONL. */
export async function importMedSafetyBenchCommand(
  source: string,
  options: ImportMedSafetyBenchOptions,
  output: Output,
): Promise<void> {
  const selection: MedSafetyBenchOptions = {
    splits: options.split === "all" ? MEDSAFETYBENCH_SPLITS : [options.split],
    sources: options.source === "all" ? MEDSAFETYBENCH_SOURCES : [options.source],
    includeLlama3: options.includeLlama3 === true,
  };
  const outPath = resolve(options.out);
  const isUrl = /^https?:\/\//i.test(source);
  if (options.ftSplit !== undefined) {
    if (isUrl)
      throw new InputError(
        "dataset_invalid",
        { file: source },
        "--ft-split reads a local clone",
        `Clone ${MEDSAFETYBENCH_REPOSITORY} and pass its folder`,
      );
    const count = await writeStream(readFineTuningSplitItems(resolve(source), options.ftSplit), outPath);
    output.out(`imported ${count} items of fine-tuning split ${options.ftSplit} from ${resolve(source)}`);
    output.out(`wrote ${outPath}`);
    return;
  }
  const dir = isUrl ? await downloadMedSafetyBench(source, selection, output) : resolve(source);
  try {
    const summary = await writeItems(dir, selection, outPath);
    printSummary(output, isUrl ? source : dir, summary, selection, outPath);
  } finally {
    if (isUrl) rmSync(dir, { recursive: true, force: true });
  }
}

async function writeItems(
  dir: string,
  selection: MedSafetyBenchOptions,
  outPath: string,
): Promise<MedSafetyBenchSummary> {
  const { items, summary } = readMedSafetyBench(dir, selection);
  await writeStream(items, outPath);
  return summary;
}

/** Streams the items into `outPath` (through a temporary file renamed at the end, so a failure leaves no half file). */
async function writeStream(items: AsyncIterable<BenchmarkItem>, outPath: string): Promise<number> {
  let count = 0;
  mkdirSync(dirname(outPath), { recursive: true });
  const partial = `${outPath}.partial-${process.pid}`;
  const stream = createWriteStream(partial, { encoding: "utf8" });
  try {
    for await (const item of items) {
      count += 1;
      if (!stream.write(`${JSON.stringify(item)}\n`)) await once(stream, "drain");
    }
    stream.end();
    await once(stream, "finish");
    renameSync(partial, outPath);
    return count;
  } catch (error) {
    stream.destroy();
    rmSync(partial, { force: true });
    throw error;
  }
}

function printSummary(
  output: Output,
  from: string,
  summary: MedSafetyBenchSummary,
  selection: MedSafetyBenchOptions,
  outPath: string,
): void {
  output.out(`imported ${summary.items} MedSafetyBench items from ${from} (${summary.files} files)`);
  output.out("per split/source:");
  for (const [group, count] of Object.entries(summary.perSplitSource)) output.out(`  ${group.padEnd(14)} ${count}`);
  output.out("per category (AMA principle → guidelineId ama-k):");
  for (const [category, count] of Object.entries(summary.perCategory))
    output.out(`  ${category}  ${String(count).padStart(6)}`);
  output.out(
    selection.includeLlama3 === true
      ? `llama3 lines cleaned of a stray <|eot_id|> token: ${summary.llama3Cleaned}; lines equal to an earlier line after cleaning (kept): ${summary.llama3Duplicates}`
      : "llama3 lines cleaned: 0 (the 74,374 extra Llama-3 requests were not imported; add --include-llama3)",
  );
  output.out(`wrote ${outPath}`);
  const relativeOut = relative(process.cwd(), outPath);
  const benchmark = relativeOut.startsWith("..") || isAbsolute(relativeOut) ? outPath : `./${relativeOut}`;
  output.out(
    `next: set \`benchmark: ${benchmark}\` in medsafety.config.yaml (\`medsafety init\` writes one) with at least one judge; ` +
      "the items name the medsafetybench-harm rubric (harmfulness 1-5), which judges apply unless they set their own rubric. " +
      "Then: medsafety run -c medsafety.config.yaml",
  );
}

/**
 * The base URL of the repository's raw files: a github.com repository URL (optionally `/tree/<ref>`) maps to
 * raw.githubusercontent.com on its branch (default main); any other URL is taken as the folder that holds `datasets/`.
 */
function rawBaseUrl(url: string): string {
  const github =
    /^https?:\/\/(?:www\.)?github\.com\/([^/]+)\/([^/#?]+?)(?:\.git)?(?:\/tree\/([^/#?]+))?\/?(?:[#?].*)?$/i.exec(url);
  if (github !== null) return `https://raw.githubusercontent.com/${github[1]}/${github[2]}/${github[3] ?? "main"}/`;
  return url.endsWith("/") ? url : `${url}/`;
}

/** Downloads the files a selection needs into a fresh temporary folder laid out like the repository. */
async function downloadMedSafetyBench(url: string, selection: MedSafetyBenchOptions, output: Output): Promise<string> {
  const base = rawBaseUrl(url);
  const dir = mkdtempSync(join(tmpdir(), "medsafety-medsafetybench-"));
  const files = medSafetyBenchFiles(selection);
  output.err(`downloading ${files.length} MedSafetyBench files from ${base}`);
  const limit = pLimit(4);
  try {
    await Promise.all(
      files.map((file) => limit(() => downloadFile(new URL(file.path, base).href, join(dir, file.path)))),
    );
    return dir;
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    const fix =
      `To proceed, clone the repository (git clone ${MEDSAFETYBENCH_REPOSITORY}) or download its datasets/ folder, ` +
      "then pass the directory that contains datasets/: medsafety import medsafetybench ./med-safety-bench";
    if (error instanceof DownloadStatusError)
      throw new InputError(
        "dataset_invalid",
        { file: url },
        `could not download MedSafetyBench (${error.message})`,
        fix,
      );
    throw new MedsafetyError(
      "provider_network",
      `could not download MedSafetyBench from ${url} (${errorMessage(error)}). ${fix}`,
      { cause: error },
    );
  }
}

/** The server answered, but not with the file: a wrong URL or path is bad input rather than a network failure. */
class DownloadStatusError extends Error {}

async function downloadFile(url: string, target: string): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) });
  } catch (error) {
    const cause = error instanceof Error && error.cause !== undefined ? `: ${errorMessage(error.cause)}` : "";
    throw new Error(`${url}: ${errorMessage(error)}${cause}`, { cause: error });
  }
  if (!response.ok || response.body === null) throw new DownloadStatusError(`${url}: HTTP ${response.status}`);
  mkdirSync(dirname(target), { recursive: true });
  await pipeline(Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), createWriteStream(target));
}
