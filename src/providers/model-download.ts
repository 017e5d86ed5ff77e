import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, readFile, stat, truncate, unlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { errorMessage, MedsafetyError } from "../core/index.js";
import { nodeLlamaCpp } from "./node-llama-cpp.js";

/** A downloadable GGUF file pinned by exact size and sha256. */
export interface QuickstartModel {
  readonly name: string;
  readonly url: string;
  readonly fileName: string;
  readonly sizeBytes: number;
  readonly sha256: string;
  readonly license: string;
  /** Where the size and hash were taken from. */
  readonly source: string;
}

/**
 * The model `medsafety quickstart` downloads when given none: Qwen2.5-0.5B-Instruct, Q4_K_M, from Qwen's own GGUF
 * repository. Small (~470 MiB), instruction-tuned, Apache-2.0, and answers in Japanese and English.
 *
 * The size and sha256 are those of the Git LFS object of this file on Hugging Face. They were found stated for this
 * exact file in public repositories that download and verify it, e.g. `hakammra/efficient-llm-fpga-study`,
 * `docs/setup_walkthrough.md` (commit 9764ce6683550a96bdbd2be0af969bce22d871c6), which quotes the hash published on the
 * file's Hugging Face page and checked it against a local download; at least seven other independent projects pin the
 * same size and hash. The download is rejected unless both match, so a changed upstream file fails safe.
 */
export const DEFAULT_QUICKSTART_MODEL: QuickstartModel = {
  name: "Qwen2.5-0.5B-Instruct (GGUF, Q4_K_M)",
  url: "https://huggingface.co/Qwen/Qwen2.5-0.5B-Instruct-GGUF/resolve/main/qwen2.5-0.5b-instruct-q4_k_m.gguf",
  fileName: "qwen2.5-0.5b-instruct-q4_k_m.gguf",
  sizeBytes: 491_400_032,
  sha256: "74a4da8c9fdbcd15bd1f6d01d621410d31c6fc00986f5eb687824e7b93d7a9db",
  license: "Apache-2.0",
  source: "Hugging Face Qwen/Qwen2.5-0.5B-Instruct-GGUF (Git LFS sha256 of the file)",
};

/** How long the server has to answer the first request of a download. */
const PROBE_TIMEOUT_MS = 30_000;

/** Options of {@link resolveQuickstartModel}. */
export interface ResolveQuickstartModelOptions {
  /** The `--model` flag of the quickstart command. */
  readonly modelFlag?: string;
  /**
   * The environment: `MEDSAFETY_MODEL` (a GGUF path), `MEDSAFETY_MODEL_URL` (a mirror of the default file, still
   * checked against its pinned size and sha256), `XDG_CACHE_HOME`.
   */
  readonly env: Readonly<Record<string, string | undefined>>;
  /** Default: `$XDG_CACHE_HOME/medsafety/models`, else `~/.cache/medsafety/models`. */
  readonly cacheDir?: string;
  /** Called as bytes arrive (never with a smaller `received` than before); `total` is the file's size. */
  readonly onProgress?: (received: number, total: number | undefined) => void;
  /** The model to cache or download (default {@link DEFAULT_QUICKSTART_MODEL}; tests pass a tiny one). */
  readonly model?: QuickstartModel;
  /**
   * Stops a download (`MedsafetyError("cancelled")`). What arrived is kept in `<file>.ipull`, and the next call
   * resumes from it, as it does after a killed process.
   */
  readonly signal?: AbortSignal;
}

/** Where the quickstart model comes from. */
export interface ResolvedQuickstartModel {
  readonly path: string;
  readonly source: "flag" | "env" | "cache" | "download";
}

/** The default cache folder for downloaded models. */
export function defaultModelCacheDir(env: Readonly<Record<string, string | undefined>>): string {
  const xdg = env["XDG_CACHE_HOME"];
  return path.join(xdg === undefined || xdg === "" ? path.join(os.homedir(), ".cache") : xdg, "medsafety", "models");
}

/**
 * Finds the GGUF file the quickstart runs on: the `--model` flag, then `MEDSAFETY_MODEL`, then the verified default
 * file in the cache, then a download of the default (checked by size and sha256 before it is used).
 * Throws `MedsafetyError("model_unavailable")` with the ways to proceed when none of these works, and
 * `MedsafetyError("cancelled")` when `options.signal` stops a download.
 */
export async function resolveQuickstartModel(options: ResolveQuickstartModelOptions): Promise<ResolvedQuickstartModel> {
  if (options.modelFlag !== undefined && options.modelFlag !== "") {
    return { path: await existingFile(options.modelFlag, "the --model flag"), source: "flag" };
  }
  const fromEnv = options.env["MEDSAFETY_MODEL"];
  if (fromEnv !== undefined && fromEnv !== "")
    return { path: await existingFile(fromEnv, "MEDSAFETY_MODEL"), source: "env" };
  const mirror = options.env["MEDSAFETY_MODEL_URL"];
  const model =
    options.model ??
    (mirror === undefined || mirror === "" ? DEFAULT_QUICKSTART_MODEL : { ...DEFAULT_QUICKSTART_MODEL, url: mirror });
  const cacheDir = options.cacheDir ?? defaultModelCacheDir(options.env);
  const target = path.join(cacheDir, model.fileName);
  if (await isVerifiedCopy(target, model)) return { path: target, source: "cache" };
  await download(model, target, options.onProgress, options.signal);
  return { path: target, source: "download" };
}

async function existingFile(given: string, origin: string): Promise<string> {
  const resolved = path.resolve(given);
  const isFile = await stat(resolved).then(
    (stats) => stats.isFile(),
    () => false,
  );
  if (!isFile) {
    throw new MedsafetyError(
      "model_unavailable",
      `The model file from ${origin} does not exist or is not a file: ${resolved}. ` +
        "Pass the path of a GGUF model file (npx medsafety quickstart --model /path/to/model.gguf), or leave --model and MEDSAFETY_MODEL unset to use the default model.",
    );
  }
  return resolved;
}

/** True when the cached file exists with the right size and its sha256 was checked once (recorded in a marker). */
async function isVerifiedCopy(file: string, model: QuickstartModel): Promise<boolean> {
  const size = await stat(file).then(
    (stats) => (stats.isFile() ? stats.size : undefined),
    () => undefined,
  );
  if (size === undefined) return false;
  if (size === model.sizeBytes) {
    const marker = await readFile(`${file}.verified`, "utf8").catch(() => "");
    if (marker.trim() === model.sha256) return true;
    if ((await sha256OfFile(file)) === model.sha256) {
      await writeFile(`${file}.verified`, `${model.sha256}\n`);
      return true;
    }
  }
  // A wrong or damaged copy in our own cache folder: remove it and download again.
  await Promise.allSettled([unlink(file), unlink(`${file}.verified`)]);
  return false;
}

async function sha256OfFile(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

/**
 * Downloads the model with node-llama-cpp's downloader (ipull: parallel ranged requests; a dropped connection is
 * retried from where it stopped, with backoff, for about 12 minutes; progress is kept per 5 MiB chunk in
 * `<target>.ipull`, so a download stopped by a killed process or a failure resumes on the next call), then accepts the
 * file only when its size and sha256 match; otherwise it is deleted.
 */
async function download(
  model: QuickstartModel,
  target: string,
  onProgress: ResolveQuickstartModelOptions["onProgress"],
  signal: AbortSignal | undefined,
): Promise<void> {
  const partial = `${target}${IPULL_SUFFIX}`;
  try {
    await mkdir(path.dirname(target), { recursive: true });
    // The file an earlier version of this download streamed into; the resumable download does not use it.
    await unlink(`${target}.partial`).catch(() => undefined);
    // The downloader retries a refused or unresolvable host for minutes; one plain request first fails fast instead.
    await probe(model.url, signal);
    await downloadResumably(model, target, onProgress, signal);
  } catch (error) {
    const kept = (await fileSize(partial)) === undefined ? "" : `What arrived is kept in ${partial}; `;
    if (signal?.aborted === true) {
      throw new MedsafetyError(
        "cancelled",
        `The download of ${model.name} was stopped. ${kept}${kept === "" ? "R" : "r"}un the same command again to resume.`,
        { cause: error },
      );
    }
    throw new MedsafetyError(
      "model_unavailable",
      `Could not download ${model.name} from ${model.url} (${describe(error)}). ` +
        (kept === "" ? "" : `${kept}run the same command again to resume. `) +
        howToProceed(model, target),
      { cause: error },
    );
  }
  let received = (await fileSize(target)) ?? 0;
  if (received > model.sizeBytes) {
    // ipull keeps its progress record at the end of the file it writes and cuts it off when done; on a loaded machine
    // the record was seen left behind (63 bytes past the model). The sha256 below decides: cut to the model's size and
    // accept the file only if the hash then matches; otherwise it is deleted as any wrong download.
    await truncate(target, model.sizeBytes);
    received = model.sizeBytes;
  }
  const digest = received === model.sizeBytes ? await sha256OfFile(target) : "(not computed: wrong size)";
  if (received !== model.sizeBytes || digest !== model.sha256) {
    await Promise.allSettled([unlink(target), unlink(partial)]);
    throw new MedsafetyError(
      "model_unavailable",
      `The download of ${model.name} from ${model.url} is not the expected file: sha256 mismatched (got ${digest}, ${received} bytes; expected ${model.sha256}, ` +
        `${model.sizeBytes} bytes), so it was deleted. A proxy or an upstream change may have altered it. ${howToProceed(model, target)}`,
    );
  }
  await writeFile(`${target}.verified`, `${model.sha256}\n`);
}

/** The suffix of the file node-llama-cpp's downloader (ipull) writes into until the download is complete. */
const IPULL_SUFFIX = ".ipull";

/** One ranged GET: throws the network error or `HTTP <status>` when the server cannot serve the file. */
async function probe(url: string, signal: AbortSignal | undefined): Promise<void> {
  // Hand-made rather than AbortSignal.any (Node 20.3+; the package allows any Node 20).
  const controller = new AbortController();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    controller.abort();
  }, PROBE_TIMEOUT_MS);
  const onAbort = (): void => controller.abort(signal?.reason);
  signal?.addEventListener("abort", onAbort, { once: true });
  if (signal?.aborted === true) onAbort();
  try {
    const response = await fetch(url, {
      headers: { range: "bytes=0-0", "accept-encoding": "identity" },
      signal: controller.signal,
    });
    await response.body?.cancel().catch(() => undefined);
    if (!response.ok) throw new Error(`HTTP ${response.status} ${response.statusText}`.trim());
  } catch (error) {
    if (timedOut) throw new Error(`no answer within ${PROBE_TIMEOUT_MS / 1000} s`, { cause: error });
    throw error;
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", onAbort);
  }
}

async function downloadResumably(
  model: QuickstartModel,
  target: string,
  onProgress: ResolveQuickstartModelOptions["onProgress"],
  signal: AbortSignal | undefined,
): Promise<void> {
  let reported = -1;
  const { createModelDownloader } = await nodeLlamaCpp();
  signal?.throwIfAborted();
  const downloader = await createModelDownloader({
    modelUri: model.url,
    dirPath: path.dirname(target),
    fileName: path.basename(target),
    // A file already at the target was checked (and deleted if wrong) by isVerifiedCopy.
    skipExisting: false,
    // Keep what arrived when the download is stopped, so the next call resumes it.
    deleteTempFileOnCancel: false,
    onProgress: ({ downloadedSize, totalSize }) => {
      // A retried connection counts again bytes already counted: report only new ones.
      if (downloadedSize <= reported) return;
      reported = downloadedSize;
      onProgress?.(downloadedSize, totalSize > 0 ? totalSize : model.sizeBytes);
    },
  });
  const announced = downloader.totalSize;
  if (announced > 0 && announced !== model.sizeBytes)
    throw new Error(`the server announces ${announced} bytes, not the expected ${model.sizeBytes}`);
  signal?.throwIfAborted();
  const done = downloader.download(signal === undefined ? {} : { signal });
  if (signal === undefined) {
    await done;
    return;
  }
  // A stopped download resolves as if it had finished, and a request that never answers never settles: the signal
  // decides.
  done.catch(() => undefined);
  await Promise.race([done, aborted(signal)]);
  signal.throwIfAborted();
}

/** Rejects with the signal's reason when it aborts. */
function aborted(signal: AbortSignal): Promise<never> {
  return new Promise<never>((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    else signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
}

/** An error's message with its cause's (`fetch failed: connect ECONNREFUSED …`). */
function describe(error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined;
  return cause instanceof Error && !errorMessage(error).includes(cause.message)
    ? `${errorMessage(error)}: ${cause.message}`
    : errorMessage(error);
}

async function fileSize(file: string): Promise<number | undefined> {
  return stat(file).then(
    (stats) => (stats.isFile() ? stats.size : undefined),
    () => undefined,
  );
}

function howToProceed(model: QuickstartModel, target: string): string {
  return (
    "To go on: run `npx medsafety quickstart --model /path/to/model.gguf` with a GGUF chat model you already have, " +
    "or set MEDSAFETY_MODEL=/path/to/model.gguf; " +
    `or download ${model.url} yourself (sha256 ${model.sha256}, ${model.sizeBytes} bytes) and save it as ${target}; ` +
    "or use a hosted API instead: `npx medsafety init`, then `npx medsafety run -c <config>`."
  );
}
