import { once } from "node:events";
import { createWriteStream, existsSync, mkdirSync, renameSync, rmSync, statSync } from "node:fs";
import { basename, dirname, extname, isAbsolute, relative, resolve } from "node:path";
import { InputError } from "../../core/index.js";
import {
  type BenchmarkItem,
  buildFieldMapping,
  DATASET_FORMATS,
  type DatasetFile,
  type DatasetFormat,
  DEFAULT_HUB_ENDPOINT,
  dataFilesOf,
  downloadHubFile,
  fetchDatasetInfo,
  formatOfPath,
  type HubClientOptions,
  type HubSource,
  type ImportDatasetSummary,
  importDataset,
  parseHubSource,
  resolveUrl,
} from "../../datasets/index.js";
import type { Output } from "../output.js";

export interface ImportDatasetFlags {
  map?: string;
  mapping?: string;
  out?: string;
  format?: string;
  license?: string;
  file?: string[];
  skipBadRows?: boolean;
  cacheDir: string;
}

/** `medsafety import dataset <path|hf://org/name[@revision]>`: a published dataset as benchmark JSONL. */
export async function importDatasetCommand(source: string, flags: ImportDatasetFlags, output: Output): Promise<void> {
  const format = formatFlag(flags.format);
  const mapping = buildFieldMapping({
    ...(flags.map === undefined ? {} : { map: flags.map }),
    ...(flags.mapping === undefined ? {} : { mapping: flags.mapping }),
  });
  const hub = parseHubSource(source);
  const { files, name, commit } =
    hub === undefined
      ? localFiles(source, flags, mapping.license)
      : await hubFiles(hub, flags, mapping.license, output);
  const outPath = resolve(flags.out ?? `${name}.jsonl`);
  const { items, summary } = importDataset(files, {
    mapping,
    ...(format === undefined ? {} : { format }),
    skipBadRows: flags.skipBadRows === true,
    onBadRow: (error) => output.err(`skipped: ${error.message}`),
  });
  await writeItems(items, outPath);
  printSummary(output, summary, files, outPath, commit);
}

function formatFlag(value: string | undefined): DatasetFormat | undefined {
  if (value === undefined) return undefined;
  if ((DATASET_FORMATS as readonly string[]).includes(value)) return value as DatasetFormat;
  throw new InputError(
    "dataset_invalid",
    { file: "--format", field: value },
    `unknown format "${value}"`,
    `Use one of: ${DATASET_FORMATS.join(", ")}`,
  );
}

function localFiles(
  source: string,
  flags: ImportDatasetFlags,
  mappingLicense: string | undefined,
): { files: DatasetFile[]; name: string; commit?: undefined } {
  const path = resolve(source);
  if (!existsSync(path))
    throw new InputError(
      "dataset_invalid",
      { file: path },
      "dataset file not found",
      "Give the path of a JSON, JSONL, CSV, TSV or Parquet file, or a Hugging Face dataset as hf://org/name[@revision]",
    );
  if (statSync(path).isDirectory())
    throw new InputError(
      "dataset_invalid",
      { file: path },
      "this is a folder, not a dataset file",
      "Give the path of one file (a downloaded Hub dataset keeps its data files under data/ or the split's folder)",
    );
  if (flags.file !== undefined)
    throw new InputError(
      "dataset_invalid",
      { file: "--file" },
      "--file picks files of a Hub dataset",
      "Give the local file as the source",
    );
  const license = flags.license ?? mappingLicense;
  return {
    files: [{ path, provenance: { source, file: source, ...(license === undefined ? {} : { license }) } }],
    name: basename(path, extname(path)),
  };
}

async function hubFiles(
  source: HubSource,
  flags: ImportDatasetFlags,
  mappingLicense: string | undefined,
  output: Output,
): Promise<{ files: DatasetFile[]; name: string; commit: string }> {
  const token = process.env["HF_TOKEN"];
  const options: HubClientOptions = {
    endpoint: process.env["HF_ENDPOINT"] ?? DEFAULT_HUB_ENDPOINT,
    ...(token === undefined || token === "" ? {} : { token }),
    cacheDir: resolve(flags.cacheDir),
    onEvent: (message) => output.err(message),
  };
  const dataset = await fetchDatasetInfo(source, options);
  output.err(`hf://${dataset.repo}@${source.revision} is commit ${dataset.commit}`);
  const wanted = flags.file ?? dataFilesOf(dataset, source.path, (file) => formatOfPath(file) !== undefined);
  if (wanted.length === 0)
    throw new InputError(
      "dataset_invalid",
      { file: source.text },
      `no JSON, JSONL, CSV, TSV or Parquet file in the dataset${source.path === undefined ? "" : ` under ${source.path}`}`,
      `Pick files with --file <path>; the dataset has: ${dataset.files.slice(0, 30).join(", ") || "no files"}`,
    );
  const license = flags.license ?? dataset.license ?? mappingLicense;
  const files: DatasetFile[] = [];
  for (const file of wanted) {
    const path = await downloadHubFile(source, dataset, file, options);
    files.push({
      path,
      provenance: {
        source: `hf://${dataset.repo}`,
        file,
        revision: source.revision,
        commit: dataset.commit,
        url: resolveUrl(options, dataset, file),
        ...(license === undefined ? {} : { license }),
      },
    });
  }
  return { files, name: dataset.repo.split("/")[1] ?? "dataset", commit: dataset.commit };
}

/** Streams the items into `outPath` through a temporary file renamed at the end, so a failure leaves no half file. */
async function writeItems(items: AsyncIterable<BenchmarkItem>, outPath: string): Promise<void> {
  mkdirSync(dirname(outPath), { recursive: true });
  const partial = `${outPath}.partial-${process.pid}`;
  const stream = createWriteStream(partial, { encoding: "utf8" });
  try {
    for await (const item of items) if (!stream.write(`${JSON.stringify(item)}\n`)) await once(stream, "drain");
    stream.end();
    await once(stream, "finish");
    renameSync(partial, outPath);
  } catch (error) {
    // A write still in flight fails once the stream is destroyed: that failure is this one, already being thrown.
    stream.on("error", () => undefined);
    stream.destroy();
    if (!stream.closed) await new Promise<void>((resolve) => stream.once("close", () => resolve()));
    rmSync(partial, { force: true });
    throw error;
  }
}

function printSummary(
  output: Output,
  summary: ImportDatasetSummary,
  files: readonly DatasetFile[],
  outPath: string,
  commit: string | undefined,
): void {
  output.out(
    `imported ${summary.items} items from ${summary.rows} rows of ${summary.files} file${summary.files === 1 ? "" : "s"}` +
      (summary.skipped > 0 ? `; skipped ${summary.skipped} bad rows (each reported above)` : ""),
  );
  for (const [file, counts] of Object.entries(summary.perFile))
    output.out(
      `  ${file}: ${counts.items} items of ${counts.rows} rows${counts.skipped > 0 ? `, ${counts.skipped} skipped` : ""}`,
    );
  output.out(
    `per language: ${Object.entries(summary.perLanguage)
      .map(([language, count]) => `${language} ${count}`)
      .join(", ")}`,
  );
  const license = files[0]?.provenance.license;
  output.out(
    license === undefined
      ? "licence: unknown (pass --license <licence> to record it in each item's provenance)"
      : `licence: ${license} (recorded in each item's metadata.provenance)`,
  );
  if (commit !== undefined) output.out(`commit: ${commit} (pin it for a reproducible import: hf://…@${commit})`);
  output.out(`wrote ${outPath}`);
  const relativeOut = relative(process.cwd(), outPath);
  const shown = relativeOut.startsWith("..") || isAbsolute(relativeOut) ? outPath : `./${relativeOut}`;
  output.out(`next: medsafety benchmark stats ${shown}, then set \`benchmark: ${shown}\` in medsafety.config.yaml`);
}
