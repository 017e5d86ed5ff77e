/**
 * A local Hugging Face Hub for tests of `import dataset hf://…` (decision 0032). It answers as the Hub does:
 * `GET /api/datasets/{org}/{name}/revision/{revision}` (sha, siblings, cardData.license, gated), and
 * `GET /datasets/{org}/{name}/resolve/{revision}/{path}`: a small file directly (ETag = its git blob sha1,
 * X-Repo-Commit, Accept-Ranges, Range → 206), a large ("LFS") file as a 302 to a second origin, the CDN, with
 * X-Linked-Etag (sha256) and X-Linked-Size; the CDN serves the bytes with Range / 206 and never needs the token.
 * Errors carry the Hub's X-Error-Code (RepoNotFound, RevisionNotFound, EntryNotFound, GatedRepo) and a JSON `error`.
 * A file can be cut off mid-body (`dropAfter`) to test resume. Every request is recorded.
 */
import { createHash } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

export interface FixtureHubDataset {
  /** `org/name`. */
  readonly repo: string;
  /** The files at each commit (40-hex sha → path → content). */
  readonly commits: Readonly<Record<string, Readonly<Record<string, string | Uint8Array>>>>;
  /** Branches and tags → commit sha; `main` must be one of them. */
  readonly refs: Readonly<Record<string, string>>;
  /** The card's `license:`. */
  readonly license?: string;
  /** Gated: files need `Authorization: Bearer <token>` with this token. */
  readonly gatedToken?: string;
  /** Served as LFS (redirect to the CDN); default: files ending in .parquet. */
  readonly lfs?: (path: string) => boolean;
}

export interface FixtureHubRequest {
  readonly server: "hub" | "cdn";
  readonly url: string;
  /** Lower-cased header names. */
  readonly headers: Readonly<Record<string, string>>;
}

export interface FixtureHubOptions {
  readonly datasets: readonly FixtureHubDataset[];
  /**
   * Cut the body of a file off after `bytes` bytes (the socket is destroyed), for its first `times` full or ranged
   * downloads. The path is the file's path in the repository.
   */
  readonly dropAfter?: { readonly path: string; readonly bytes: number; readonly times: number };
}

export interface FixtureHub {
  /** The Hub's endpoint, for HF_ENDPOINT. */
  readonly endpoint: string;
  readonly requests: FixtureHubRequest[];
  close(): Promise<void>;
}

/** The git blob sha1 of a file: what the Hub sends as the ETag of a file kept in git. */
export function gitBlobSha1(bytes: Uint8Array): string {
  return createHash("sha1").update(`blob ${bytes.length}\0`).update(bytes).digest("hex");
}

function bytesOf(content: string | Uint8Array): Uint8Array {
  return typeof content === "string" ? new TextEncoder().encode(content) : content;
}

function headersOf(request: IncomingMessage): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers))
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(", ") : value;
  return headers;
}

function hubError(response: ServerResponse, status: number, code: string | undefined, message: string): void {
  response.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "x-error-message": message,
    ...(code === undefined ? {} : { "x-error-code": code }),
    "x-request-id": "Root=fixture",
  });
  response.end(JSON.stringify({ error: message }));
}

interface Served {
  count: number;
}

/** Sends `bytes` with Range support; cuts the body off when the drop rule says so. */
function sendBytes(
  request: IncomingMessage,
  response: ServerResponse,
  bytes: Uint8Array,
  headers: Record<string, string>,
  drop: (length: number) => number | undefined,
): void {
  const range = /^bytes=(\d+)-(\d*)$/.exec(request.headers.range ?? "");
  let start = 0;
  let end = bytes.length - 1;
  let status = 200;
  if (request.headers.range !== undefined) {
    if (range === null || Number(range[1]) >= bytes.length) {
      response.writeHead(416, { "content-range": `bytes */${bytes.length}` });
      response.end();
      return;
    }
    start = Number(range[1]);
    end = range[2] === "" || range[2] === undefined ? end : Math.min(end, Number(range[2]));
    status = 206;
  }
  const body = bytes.subarray(start, end + 1);
  response.writeHead(status, {
    ...headers,
    "accept-ranges": "bytes",
    "content-length": String(body.length),
    ...(status === 206 ? { "content-range": `bytes ${start}-${end}/${bytes.length}` } : {}),
  });
  const cut = drop(body.length);
  if (cut !== undefined) {
    response.write(body.subarray(0, cut), () => response.destroy());
    return;
  }
  response.end(body);
}

/** Starts the fixture Hub and its CDN on free ports of 127.0.0.1. */
export async function startFixtureHub(options: FixtureHubOptions): Promise<FixtureHub> {
  const requests: FixtureHubRequest[] = [];
  const blobs = new Map<string, Uint8Array>();
  const served: Served = { count: 0 };
  let cdnOrigin = "";
  /** The bytes to send before cutting a body of `length` bytes off, when the drop rule applies to it. */
  const dropFor =
    (path: string) =>
    (length: number): number | undefined => {
      const rule = options.dropAfter;
      if (rule === undefined || rule.path !== path || served.count >= rule.times || rule.bytes >= length)
        return undefined;
      served.count += 1;
      return rule.bytes;
    };
  const blobPaths = new Map<string, string>();

  const hub = createServer((request, response) => {
    requests.push({ server: "hub", url: request.url ?? "", headers: headersOf(request) });
    const url = new URL(request.url ?? "/", "http://hub");
    const api = /^\/api\/datasets\/([^/]+\/[^/]+)\/revision\/([^/]+)$/.exec(url.pathname);
    const resolve = /^\/datasets\/([^/]+\/[^/]+)\/resolve\/([^/]+)\/(.+)$/.exec(url.pathname);
    const match = api ?? resolve;
    if (match === null) return hubError(response, 404, undefined, "Not Found");
    const repo = decodeURIComponent(match[1] ?? "");
    const dataset = options.datasets.find((candidate) => candidate.repo === repo);
    const authorization = request.headers.authorization;
    if (dataset === undefined)
      return hubError(response, authorization === undefined ? 401 : 404, "RepoNotFound", "Repository not found");
    const revision = decodeURIComponent(match[2] ?? "");
    const commit = dataset.refs[revision] ?? (dataset.commits[revision] === undefined ? undefined : revision);
    const files = commit === undefined ? undefined : dataset.commits[commit];
    if (commit === undefined || files === undefined)
      return hubError(response, 404, "RevisionNotFound", `Invalid rev id: ${revision}`);
    if (api !== null) {
      response.writeHead(200, { "content-type": "application/json; charset=utf-8" });
      response.end(
        JSON.stringify({
          _id: "fixture",
          id: repo,
          author: repo.split("/")[0],
          sha: commit,
          lastModified: "2026-01-01T00:00:00.000Z",
          private: false,
          gated: dataset.gatedToken === undefined ? false : "manual",
          disabled: false,
          tags: dataset.license === undefined ? [] : [`license:${dataset.license}`],
          ...(dataset.license === undefined ? {} : { cardData: { license: dataset.license } }),
          siblings: Object.keys(files).map((rfilename) => ({ rfilename })),
        }),
      );
      return;
    }
    if (dataset.gatedToken !== undefined && authorization !== `Bearer ${dataset.gatedToken}`)
      return hubError(
        response,
        authorization === undefined ? 401 : 403,
        "GatedRepo",
        `Access to dataset ${repo} is restricted. You must have access to it and be authenticated to access it. Please log in.`,
      );
    const path = decodeURIComponent(match[3] ?? "");
    const content = files[path];
    if (content === undefined)
      return hubError(response, 404, "EntryNotFound", `${path} does not exist on "${revision}"`);
    const bytes = bytesOf(content);
    const isLfs = (dataset.lfs ?? ((name: string) => name.endsWith(".parquet")))(path);
    if (isLfs) {
      const sha256 = createHash("sha256").update(bytes).digest("hex");
      blobs.set(sha256, bytes);
      blobPaths.set(sha256, path);
      response.writeHead(302, {
        location: `${cdnOrigin}/repos/fixture/${sha256}?response-content-disposition=attachment`,
        "x-repo-commit": commit,
        "x-linked-etag": `"${sha256}"`,
        "x-linked-size": String(bytes.length),
        etag: `"${gitBlobSha1(bytes)}"`,
        "content-length": "0",
      });
      response.end();
      return;
    }
    sendBytes(request, response, bytes, { etag: `"${gitBlobSha1(bytes)}"`, "x-repo-commit": commit }, dropFor(path));
  });

  const cdn = createServer((request, response) => {
    requests.push({ server: "cdn", url: request.url ?? "", headers: headersOf(request) });
    const sha256 = /^\/repos\/fixture\/([0-9a-f]{64})/.exec(request.url ?? "")?.[1];
    const bytes = sha256 === undefined ? undefined : blobs.get(sha256);
    if (sha256 === undefined || bytes === undefined) {
      response.writeHead(403, { "content-type": "application/xml" });
      response.end("<Error><Code>AccessDenied</Code></Error>");
      return;
    }
    sendBytes(request, response, bytes, { etag: `"${sha256}"` }, dropFor(blobPaths.get(sha256) ?? ""));
  });

  const listen = (server: Server): Promise<number> =>
    new Promise((resolve) => server.listen(0, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)));
  const hubPort = await listen(hub);
  const cdnPort = await listen(cdn);
  // A different port is a different origin: the token must not follow the redirect.
  cdnOrigin = `http://127.0.0.1:${cdnPort}`;
  const close = (server: Server): Promise<void> =>
    new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return {
    endpoint: `http://127.0.0.1:${hubPort}`,
    requests,
    close: async () => {
      await Promise.all([close(hub), close(cdn)]);
    },
  };
}
