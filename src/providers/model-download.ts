import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { mkdir, open, readFile, rename, stat, unlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { errorMessage, MedsafetyError } from "../core/index.js";

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
  readonly fetch?: typeof fetch;
  /** Called as bytes arrive; `total` is the announced length (or the expected size). */
  readonly onProgress?: (received: number, total: number | undefined) => void;
  /** The model to cache or download (default {@link DEFAULT_QUICKSTART_MODEL}; tests pass a tiny fake). */
  readonly model?: QuickstartModel;
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
 * Throws `MedsafetyError("model_unavailable")` with the ways to proceed when none of these works.
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
  await download(model, target, options.fetch ?? fetch, options.onProgress);
  return { path: target, source: "download" };
}

async function existingFile(given: string, origin: string): Promise<string> {
  const resolved = path.resolve(process.cwd(), given);
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

/** Streams the model into `<target>.partial`, hashing as it writes, and renames it only when size and sha256 match. */
async function download(
  model: QuickstartModel,
  target: string,
  fetchImpl: typeof fetch,
  onProgress: ResolveQuickstartModelOptions["onProgress"],
): Promise<void> {
  const partial = `${target}.partial`;
  let digest: string;
  let received = 0;
  try {
    await mkdir(path.dirname(target), { recursive: true });
    const response = await fetchImpl(model.url);
    if (!response.ok || response.body === null)
      throw new Error(`HTTP ${response.status} ${response.statusText}`.trim());
    const announced = Number(response.headers.get("content-length") ?? Number.NaN);
    const total = Number.isFinite(announced) && announced > 0 ? announced : model.sizeBytes;
    const hash = createHash("sha256");
    const handle = await open(partial, "w");
    try {
      for await (const chunk of response.body) {
        received += chunk.byteLength;
        if (received > model.sizeBytes)
          throw new Error(`the server sent more than the expected ${model.sizeBytes} bytes`);
        hash.update(chunk);
        await handle.write(chunk);
        onProgress?.(received, total);
      }
    } finally {
      await handle.close();
    }
    digest = hash.digest("hex");
  } catch (error) {
    await unlink(partial).catch(() => undefined);
    throw new MedsafetyError(
      "model_unavailable",
      `Could not download ${model.name} from ${model.url} (${errorMessage(error)}). ${howToProceed(model, target)}`,
      {
        cause: error,
      },
    );
  }
  if (received !== model.sizeBytes || digest !== model.sha256) {
    await unlink(partial).catch(() => undefined);
    throw new MedsafetyError(
      "model_unavailable",
      `The download of ${model.name} is not the expected file: sha256 mismatched (got ${digest}, ${received} bytes; expected ${model.sha256}, ` +
        `${model.sizeBytes} bytes), so it was deleted. A proxy or an upstream change may have altered it. ${howToProceed(model, target)}`,
    );
  }
  await rename(partial, target);
  await writeFile(`${target}.verified`, `${model.sha256}\n`);
}

function howToProceed(model: QuickstartModel, target: string): string {
  return (
    "To go on: run `npx medsafety quickstart --model /path/to/model.gguf` with a GGUF chat model you already have, " +
    "or set MEDSAFETY_MODEL=/path/to/model.gguf; " +
    `or download ${model.url} yourself (sha256 ${model.sha256}, ${model.sizeBytes} bytes) and save it as ${target}; ` +
    "or use a hosted API instead: `npx medsafety init`, then `npx medsafety run -c <config>`."
  );
}
