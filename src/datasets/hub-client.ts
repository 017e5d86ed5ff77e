import { createHash } from "node:crypto";
import {
  closeSync,
  createReadStream,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { dirname, join } from "node:path";
import type { Readable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { errorMessage, InputError, MedsafetyError, parseJsonText } from "../core/index.js";

/**
 * A small client for the Hugging Face Hub's public HTTP API, for `medsafety import dataset hf://org/name[@revision]`:
 * dataset info at a revision (`{endpoint}/api/datasets/{repo}/revision/{revision}`: the commit sha, the files, the
 * card's licence, gating), and files from `{endpoint}/datasets/{repo}/resolve/{commit}/{path}` into a cache folder
 * keyed by the commit, resumed with `Range` after a broken connection and checked against the size and hash the Hub
 * announces. Redirects (a CDN for large files) are followed by hand so the token never leaves the Hub's origin.
 * undici is loaded on the first request. Decision 0032.
 */

/** The Hub's public endpoint (`HF_ENDPOINT` overrides it). */
export const DEFAULT_HUB_ENDPOINT = "https://huggingface.co";

/** `hf://org/name[@revision][/path/in/repo]`, parsed. */
export interface HubSource {
  /** As the user wrote it. */
  readonly text: string;
  /** `org/name`. */
  readonly repo: string;
  /** The revision asked for: a branch, a tag or a commit sha (default `main`). */
  readonly revision: string;
  /** A file or folder inside the repository, when given. */
  readonly path?: string;
}

/** A dataset's files at one commit. */
export interface HubDataset {
  readonly repo: string;
  readonly revision: string;
  /** The 40-hex commit the revision resolved to. */
  readonly commit: string;
  /** Every file of the repository at that commit. */
  readonly files: readonly string[];
  /** The dataset card's `license:` (several joined with " OR "), when it has one. */
  readonly license?: string;
  readonly gated: boolean;
}

export interface HubClientOptions {
  readonly endpoint: string;
  /** `HF_TOKEN`: sent as a bearer token to the Hub's origin only; never logged, stored or put in a message. */
  readonly token?: string;
  /** Folder of the download cache: files go to `<cacheDir>/<org>/<name>/<commit>/<path>`. */
  readonly cacheDir: string;
  /** Attempts after a broken download (each resumes where the last stopped). Default 3. */
  readonly retries?: number;
  /** Pause before a retry, doubled each time. Default 1000 ms. */
  readonly retryDelayMs?: number;
  /** Time allowed for the headers of an answer, and between two chunks of a body. Default 60 s. */
  readonly timeoutMs?: number;
  /** What the client does, for the terminal (never holds the token). */
  readonly onEvent?: (message: string) => void;
}

const COMMIT_PATTERN = /^[0-9a-f]{40}$/;
const REPO_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._-]*$/;

/** Parses `hf://org/name[@revision][/path]` (also `hf://datasets/org/name...`); undefined when it is not hf://. */
export function parseHubSource(text: string): HubSource | undefined {
  if (!text.startsWith("hf://")) return undefined;
  const rest = text.slice("hf://".length).replace(/^datasets\//, "");
  const match = /^([^/@]+\/[^/@]+)(?:@([^/]+))?(?:\/(.+))?$/.exec(rest);
  const repo = match?.[1];
  if (match === null || repo === undefined || !REPO_PATTERN.test(repo))
    throw new InputError(
      "dataset_invalid",
      { file: text },
      "not a Hugging Face dataset name",
      "Write hf://org/name, hf://org/name@<revision> or hf://org/name@<revision>/<file> (a revision with / is written with %2F, e.g. @refs%2Fconvert%2Fparquet)",
    );
  const revision = match[2] === undefined ? "main" : decodeURIComponent(match[2]);
  return { text, repo, revision, ...(match[3] === undefined ? {} : { path: match[3].replace(/\/+$/, "") }) };
}

/** The Hub's answer to a request, headers lower-cased, followed through redirects. */
interface HubResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  /** Headers of every hop, first to last: the Hub's own (X-Linked-Size, X-Repo-Commit) sit on its redirect. */
  readonly hops: readonly Readonly<Record<string, string>>[];
  readonly body: Readable & { text(): Promise<string>; dump(): Promise<void> };
  readonly url: string;
}

/** A request that got no answer: DNS, refused connection, reset, timeout. */
class NetworkFailure extends Error {}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

async function send(
  url: string,
  options: HubClientOptions,
  extraHeaders: Readonly<Record<string, string>> = {},
): Promise<HubResponse> {
  const { request } = await import("undici");
  const origin = new URL(options.endpoint).origin;
  const hops: Record<string, string>[] = [];
  let current = url;
  for (let hop = 0; hop <= 5; hop += 1) {
    const sameOrigin = new URL(current).origin === origin;
    const headers: Record<string, string> = {
      "user-agent": "medsafety",
      ...extraHeaders,
      ...(options.token !== undefined && sameOrigin ? { authorization: `Bearer ${options.token}` } : {}),
    };
    let response: Awaited<ReturnType<typeof request>>;
    try {
      response = await request(current, {
        method: "GET",
        headers,
        headersTimeout: options.timeoutMs ?? 60_000,
        bodyTimeout: options.timeoutMs ?? 60_000,
      });
    } catch (error) {
      throw new NetworkFailure(networkReason(error), { cause: error });
    }
    const flat = flatHeaders(response.headers);
    hops.push(flat);
    const location = flat["location"];
    if (REDIRECTS.has(response.statusCode) && location !== undefined) {
      await response.body.dump();
      current = new URL(location, current).href;
      continue;
    }
    return { status: response.statusCode, headers: flat, hops, body: response.body, url: current };
  }
  throw new MedsafetyError("provider_response_invalid", `${url}: more than 5 redirects. Try again later`);
}

function flatHeaders(headers: Record<string, string | string[] | undefined>): Record<string, string> {
  const flat: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers))
    if (value !== undefined) flat[name.toLowerCase()] = Array.isArray(value) ? value.join(", ") : value;
  return flat;
}

/** The cause of a network failure in words (undici's codes: ECONNREFUSED, ENOTFOUND, UND_ERR_SOCKET...). */
function networkReason(error: unknown): string {
  const code = typeof error === "object" && error !== null && "code" in error ? String(error.code) : undefined;
  const cause = error instanceof Error && error.cause instanceof Error ? `: ${error.cause.message}` : "";
  return `${code === undefined ? "" : `${code} `}${errorMessage(error)}${cause}`.trim();
}

/** The message of an answer that is not a success: X-Error-Message, or the body's `error`. */
async function serverMessage(response: HubResponse): Promise<string> {
  const header = response.headers["x-error-message"];
  let text = "";
  try {
    text = (await response.body.text()).slice(0, 2000);
  } catch {
    // the message is a courtesy: the status decides
  }
  let fromBody: string | undefined;
  if (text.trim().startsWith("{")) {
    try {
      const value = parseJsonText("hub answer", text);
      const error = typeof value === "object" && value !== null ? (value as { error?: unknown }).error : undefined;
      if (typeof error === "string") fromBody = error;
    } catch {
      fromBody = undefined;
    }
  }
  return header ?? fromBody ?? "";
}

function hubPage(options: HubClientOptions, repo: string): string {
  return `${options.endpoint.replace(/\/+$/, "")}/datasets/${repo}`;
}

/** An answer that is not a success, as the error a user can act on. */
async function statusError(
  response: HubResponse,
  source: HubSource,
  options: HubClientOptions,
  file?: string,
): Promise<Error> {
  const code = response.headers["x-error-code"];
  const message = await serverMessage(response);
  const said = `HTTP ${response.status}${code === undefined ? "" : ` ${code}`}${message === "" ? "" : `: ${message}`}`;
  const page = hubPage(options, source.repo);
  if (code === "GatedRepo" || (response.status === 403 && file !== undefined))
    return new MedsafetyError(
      "provider_auth",
      `hf://${source.repo} is a gated dataset and this account has no access yet (${said}). Open ${page}, log in and accept its conditions, then set HF_TOKEN to a read token of that account (${options.endpoint.replace(/\/+$/, "")}/settings/tokens). The token is sent to the Hub only and never stored or printed`,
    );
  if (code === "RevisionNotFound")
    return new InputError(
      "dataset_invalid",
      { file: source.text },
      `the dataset has no revision "${source.revision}" (${said})`,
      `Use a branch, a tag or a commit sha listed at ${page}/commits/main (pin a commit sha for a reproducible import)`,
    );
  if (code === "EntryNotFound")
    return new InputError(
      "dataset_invalid",
      { file: source.text, ...(file === undefined ? {} : { field: file }) },
      `no file ${file ?? ""} in the dataset at ${source.revision} (${said})`,
      `See the files at ${page}/tree/${encodeURIComponent(source.revision)}`,
    );
  if (code === "RepoNotFound" || response.status === 404)
    return new InputError(
      "dataset_invalid",
      { file: source.text },
      `dataset ${source.repo} not found on ${options.endpoint} (${said})`,
      `Check the name (org/name, as in ${options.endpoint.replace(/\/+$/, "")}/datasets/org/name); a private dataset needs HF_TOKEN set to a token that can read it`,
    );
  if (response.status === 401)
    return new MedsafetyError(
      "provider_auth",
      `the Hub refused the request for hf://${source.repo} (${said}). ${options.token === undefined ? "Set HF_TOKEN to a read token" : "HF_TOKEN was refused: create a new read token"} (${options.endpoint.replace(/\/+$/, "")}/settings/tokens)`,
    );
  return new MedsafetyError(
    "provider_http",
    `the Hub answered ${said} for hf://${source.repo}. Try again later, or download the files yourself and pass their local paths (see --help)`,
    { isRetryable: response.status === 429 || response.status >= 500 },
  );
}

/** The error of a Hub that cannot be reached: how to do the import without the network. */
export function offlineError(source: HubSource, options: HubClientOptions, reason: string): MedsafetyError {
  const page = `${hubPage(options, source.repo)}/tree/${encodeURIComponent(source.revision)}`;
  return new MedsafetyError(
    "provider_network",
    `cannot reach the Hugging Face Hub at ${options.endpoint} for hf://${source.repo} (${reason}). ` +
      `To import without the network here: on a machine that has it, download the files (open ${page} and download them, or run \`huggingface-cli download ${source.repo} --repo-type dataset --revision ${source.revision} --local-dir ${source.repo.split("/")[1] ?? "dataset"}\`), ` +
      `copy them here and pass a local path: medsafety import dataset ./${source.repo.split("/")[1] ?? "dataset"}/<file>.parquet --map ... --license <licence>. ` +
      "A dataset downloaded before at a pinned commit (hf://org/name@<sha>) is read from the cache without the network",
  );
}

function datasetFolder(options: HubClientOptions, repo: string): string {
  return join(options.cacheDir, ...repo.split("/"));
}

/** Where the info of a dataset at a commit is kept, so a pinned import works offline once downloaded. */
function infoPath(options: HubClientOptions, repo: string, commit: string): string {
  return join(datasetFolder(options, repo), `${commit}.info.json`);
}

function readCachedInfo(options: HubClientOptions, source: HubSource): HubDataset | undefined {
  if (!COMMIT_PATTERN.test(source.revision)) return undefined;
  const path = infoPath(options, source.repo, source.revision);
  if (!existsSync(path)) return undefined;
  const value = parseJsonText(path, readFileSync(path, "utf8"), { code: "dataset_invalid" }) as HubDataset;
  return { ...value, revision: source.revision };
}

/** The dataset's commit, files, licence and gating at the revision asked for (from the cache for a pinned sha). */
export async function fetchDatasetInfo(source: HubSource, options: HubClientOptions): Promise<HubDataset> {
  const cached = readCachedInfo(options, source);
  if (cached !== undefined) {
    options.onEvent?.(`hf://${source.repo}@${cached.commit}: dataset info from the cache`);
    return cached;
  }
  const url = `${options.endpoint.replace(/\/+$/, "")}/api/datasets/${source.repo}/revision/${encodeURIComponent(source.revision)}`;
  let response: HubResponse;
  try {
    response = await send(url, options);
  } catch (error) {
    if (error instanceof NetworkFailure) throw offlineError(source, options, error.message);
    throw error;
  }
  if (response.status !== 200) throw await statusError(response, source, options);
  const value = parseJsonText(url, await response.body.text(), { code: "dataset_invalid" });
  const info = datasetInfoOf(value, source, url);
  mkdirSync(datasetFolder(options, source.repo), { recursive: true });
  writeFileSync(infoPath(options, source.repo, info.commit), `${JSON.stringify(info, null, 2)}\n`);
  return info;
}

function datasetInfoOf(value: unknown, source: HubSource, url: string): HubDataset {
  const record = (typeof value === "object" && value !== null ? value : {}) as Record<string, unknown>;
  const sha = record["sha"];
  const siblings = record["siblings"];
  if (typeof sha !== "string" || !COMMIT_PATTERN.test(sha) || !Array.isArray(siblings))
    throw new MedsafetyError(
      "provider_response_invalid",
      `${url}: the answer has no commit sha or file list. Check HF_ENDPOINT (it must point at a Hugging Face Hub)`,
    );
  const files = siblings
    .map((sibling) =>
      typeof sibling === "object" && sibling !== null ? (sibling as { rfilename?: unknown }).rfilename : undefined,
    )
    .filter((name): name is string => typeof name === "string");
  const card = record["cardData"];
  const cardLicense = typeof card === "object" && card !== null ? (card as { license?: unknown }).license : undefined;
  const licenses = (Array.isArray(cardLicense) ? cardLicense : [cardLicense]).filter(
    (entry): entry is string => typeof entry === "string" && entry !== "",
  );
  const gated = record["gated"];
  return {
    repo: source.repo,
    revision: source.revision,
    commit: sha,
    files,
    ...(licenses.length === 0 ? {} : { license: licenses.join(" OR ") }),
    gated: gated !== false && gated !== undefined && gated !== null,
  };
}

/** The URL a file of the dataset is downloaded from (at the commit, so it never changes). */
export function resolveUrl(options: HubClientOptions, dataset: HubDataset, file: string): string {
  const path = file.split("/").map(encodeURIComponent).join("/");
  return `${options.endpoint.replace(/\/+$/, "")}/datasets/${dataset.repo}/resolve/${dataset.commit}/${path}`;
}

/** What the Hub says the file is: its size and a hash to check (sha256 of an LFS file, git blob sha1 of another). */
interface Expected {
  readonly size?: number;
  readonly sha256?: string;
  readonly gitSha1?: string;
}

function expectedOf(response: HubResponse): Expected {
  const first = response.hops[0] ?? {};
  const linkedEtag = normaliseEtag(first["x-linked-etag"]);
  const etag = normaliseEtag(first["etag"]);
  const linkedSize = Number(first["x-linked-size"]);
  const range = /\/(\d+)$/.exec(response.headers["content-range"] ?? "")?.[1];
  const size =
    Number.isFinite(linkedSize) && first["x-linked-size"] !== undefined
      ? linkedSize
      : range !== undefined
        ? Number(range)
        : response.status === 200 && response.headers["content-length"] !== undefined
          ? Number(response.headers["content-length"])
          : undefined;
  return {
    ...(size === undefined ? {} : { size }),
    ...(linkedEtag !== undefined && /^[0-9a-f]{64}$/.test(linkedEtag) ? { sha256: linkedEtag } : {}),
    ...(linkedEtag === undefined && etag !== undefined && /^[0-9a-f]{40}$/.test(etag) ? { gitSha1: etag } : {}),
  };
}

function normaliseEtag(etag: string | undefined): string | undefined {
  if (etag === undefined) return undefined;
  if (etag.startsWith("W/")) return undefined;
  return etag.replace(/^"|"$/g, "");
}

async function hashOf(path: string, algorithm: "sha256" | "sha1", prefix?: string): Promise<string> {
  const hash = createHash(algorithm);
  if (prefix !== undefined) hash.update(prefix);
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

async function verify(partial: string, expected: Expected, file: string): Promise<void> {
  const size = statSync(partial).size;
  const problem =
    expected.size !== undefined && size !== expected.size
      ? `${size} bytes instead of ${expected.size}`
      : expected.sha256 !== undefined && (await hashOf(partial, "sha256")) !== expected.sha256
        ? "its sha256 differs from the Hub's"
        : expected.gitSha1 !== undefined && (await hashOf(partial, "sha1", `blob ${size}\0`)) !== expected.gitSha1
          ? "its git hash differs from the Hub's"
          : undefined;
  if (problem === undefined) return;
  rmSync(partial, { force: true });
  throw new MedsafetyError(
    "provider_response_invalid",
    `the download of ${file} is damaged (${problem}); it was deleted. Run the command again to download it afresh`,
  );
}

/**
 * Downloads one file of the dataset into the cache (or finds it there) and returns its local path. A partial file
 * (`<path>.incomplete`) is resumed with `Range: bytes=<size>-`, within this call after a broken connection (up to
 * `retries` times) and by the next call after an interrupted one.
 */
export async function downloadHubFile(
  source: HubSource,
  dataset: HubDataset,
  file: string,
  options: HubClientOptions,
): Promise<string> {
  const parts = file.split("/");
  if (parts.some((part) => part === "" || part === "." || part === ".."))
    throw new InputError(
      "dataset_invalid",
      { file: source.text, field: file },
      "not a file path inside the dataset",
      "Give the file's path as the dataset lists it, e.g. data/train-00000-of-00001.parquet",
    );
  const target = join(datasetFolder(options, dataset.repo), dataset.commit, ...parts);
  if (existsSync(target)) {
    options.onEvent?.(`${file}: in the cache (${target})`);
    return target;
  }
  mkdirSync(dirname(target), { recursive: true });
  const partial = `${target}.incomplete`;
  const url = resolveUrl(options, dataset, file);
  const retries = options.retries ?? 3;
  let delay = options.retryDelayMs ?? 1000;
  for (let attempt = 0; ; attempt += 1) {
    const offset = existsSync(partial) ? statSync(partial).size : 0;
    options.onEvent?.(offset > 0 ? `${file}: resuming at byte ${offset}` : `${file}: downloading`);
    try {
      const response = await send(url, options, offset > 0 ? { range: `bytes=${offset}-` } : {});
      if (response.status === 416) {
        await response.body.dump();
        rmSync(partial, { force: true });
        continue;
      }
      if (response.status !== 200 && response.status !== 206) throw await statusError(response, source, options, file);
      const start =
        response.status === 206 ? Number(/bytes (\d+)-/.exec(response.headers["content-range"] ?? "")?.[1]) : 0;
      if (start !== 0 && start !== offset) {
        await response.body.dump();
        rmSync(partial, { force: true });
        continue;
      }
      await appendBody(response.body, partial, start === 0 ? "w" : "a");
      await verify(partial, expectedOf(response), file);
      renameSync(partial, target);
      return target;
    } catch (error) {
      // A broken connection, or a 429 / 5xx: try again (resuming); anything else is the answer.
      const broken = error instanceof NetworkFailure || !(error instanceof MedsafetyError) || error.isRetryable;
      if (!broken) throw error;
      const reason = error instanceof NetworkFailure ? error.message : networkReason(error);
      if (attempt >= retries) {
        const received = existsSync(partial) ? statSync(partial).size : 0;
        if (received === 0) throw offlineError(source, options, reason);
        const kept = ` The ${received} bytes received are kept in ${partial}: run the same command again to resume.`;
        throw new MedsafetyError(
          "provider_network",
          `the download of ${file} from hf://${dataset.repo} broke off ${attempt + 1} times (${reason}).${kept} Without a working connection, see the offline steps: download the file elsewhere and pass its local path`,
          { cause: error },
        );
      }
      options.onEvent?.(`${file}: connection lost (${reason}); retrying`);
      await sleep(delay);
      delay *= 2;
    }
  }
}

/**
 * Writes a body to the partial file as it arrives, each chunk written synchronously in its `data` event: when the
 * connection breaks, every byte received is on disk, so the next attempt resumes exactly there. (An async iterator
 * drops the chunks still buffered when the error comes, and a piped file stream its pending writes.)
 */
function appendBody(body: Readable, path: string, flags: "w" | "a"): Promise<void> {
  const descriptor = openSync(path, flags);
  return new Promise<void>((resolve, reject) => {
    body.on("data", (chunk: Buffer) => {
      try {
        writeSync(descriptor, chunk);
      } catch (error) {
        body.destroy(error as Error);
      }
    });
    body.once("end", () => resolve());
    body.once("error", reject);
  }).finally(() => closeSync(descriptor));
}

/** Data files the importer reads (by extension), in path order. */
export function dataFilesOf(
  dataset: HubDataset,
  path: string | undefined,
  isDataFile: (file: string) => boolean,
): string[] {
  const inPath = (file: string): boolean => path === undefined || file === path || file.startsWith(`${path}/`);
  return dataset.files.filter((file) => inPath(file) && isDataFile(file)).sort();
}
