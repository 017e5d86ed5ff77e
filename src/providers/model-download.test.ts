/**
 * The quickstart model download against real local HTTP servers (node:http), through node-llama-cpp's downloader:
 * ranged requests, dropped connections, resumption by a second call, HTTP errors, a refused connection.
 */
import { createHash, randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import http from "node:http";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { MedsafetyError } from "../core/index.js";
import {
  DEFAULT_QUICKSTART_MODEL,
  defaultModelCacheDir,
  type QuickstartModel,
  resolveQuickstartModel,
} from "./model-download.js";

/** What a test server does with a request; `dropRanges`: a ranged request not starting at 0 gets 100 KB, then a reset. */
type ServerMode = "serve" | "dropRanges" | "notFound";

interface SeenRequest {
  readonly method: string;
  readonly range: string | undefined;
}

interface TestServer {
  readonly url: string;
  readonly requests: SeenRequest[];
  mode: ServerMode;
  close(): Promise<void>;
}

/** A file server for `bytes` at `/model.gguf`: `Accept-Ranges`, single byte ranges (206), HEAD, and `mode`. */
async function serveFile(bytes: Buffer): Promise<TestServer> {
  const requests: SeenRequest[] = [];
  const state = { mode: "serve" as ServerMode };
  const server = http.createServer((request, response) => {
    requests.push({ method: request.method ?? "", range: request.headers.range });
    if (state.mode === "notFound") {
      response.writeHead(404, "Not Found").end("no such file");
      return;
    }
    const match = /^bytes=(\d+)-(\d*)$/.exec(request.headers.range ?? "");
    if (match === null) {
      response.writeHead(200, { "accept-ranges": "bytes", "content-length": bytes.length });
      response.end(request.method === "HEAD" ? undefined : bytes);
      return;
    }
    const start = Number(match[1]);
    const end =
      match[2] === "" || match[2] === undefined ? bytes.length - 1 : Math.min(Number(match[2]), bytes.length - 1);
    response.writeHead(206, {
      "accept-ranges": "bytes",
      "content-length": end - start + 1,
      "content-range": `bytes ${start}-${end}/${bytes.length}`,
    });
    if (state.mode === "dropRanges" && start > 0) {
      response.write(bytes.subarray(start, start + 100_000), () => response.destroy());
      return;
    }
    response.end(bytes.subarray(start, end + 1));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/model.gguf`,
    requests,
    get mode() {
      return state.mode;
    },
    set mode(mode: ServerMode) {
      state.mode = mode;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A URL on a port nothing listens on (a server's, just closed): the connection is refused. */
async function refusedUrl(): Promise<string> {
  const server = http.createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}/model.gguf`;
}

function modelFor(bytes: Buffer, url: string): QuickstartModel {
  return {
    name: "test model",
    url,
    fileName: "test.gguf",
    sizeBytes: bytes.length,
    sha256: createHash("sha256").update(bytes).digest("hex"),
    license: "MIT",
    source: "test",
  };
}

async function failure(promise: Promise<unknown>): Promise<MedsafetyError> {
  const error: unknown = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(MedsafetyError);
  expect(error).toMatchObject({ code: "model_unavailable" });
  return error as MedsafetyError;
}

/** Ranged requests other than the one-byte probe. */
function dataRanges(requests: readonly SeenRequest[]): string[] {
  return requests.flatMap(({ range }) => (range === undefined || range === "bytes=0-0" ? [] : [range]));
}

const small = randomBytes(300_000);

describe("resolveQuickstartModel", () => {
  let dir: string;
  let cacheDir: string;
  let flagFile: string;
  let envFile: string;
  let server: TestServer;
  let offline: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "medsafety-model-"));
    cacheDir = path.join(dir, "cache");
    flagFile = path.join(dir, "flag.gguf");
    envFile = path.join(dir, "env.gguf");
    await Promise.all([writeFile(flagFile, "flag"), writeFile(envFile, "env")]);
    server = await serveFile(small);
    offline = await refusedUrl();
  });
  afterEach(async () => {
    await server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("prefers the flag, then MEDSAFETY_MODEL, then the cache", async () => {
    const env = { MEDSAFETY_MODEL: envFile };
    const common = { cacheDir, model: modelFor(small, offline) };
    expect(await resolveQuickstartModel({ ...common, modelFlag: flagFile, env })).toEqual({
      path: flagFile,
      source: "flag",
    });
    expect(await resolveQuickstartModel({ ...common, env })).toEqual({ path: envFile, source: "env" });
    await resolveQuickstartModel({ ...common, env: {}, model: modelFor(small, server.url) });
    expect(await resolveQuickstartModel({ ...common, env: {} })).toEqual({
      path: path.join(cacheDir, "test.gguf"),
      source: "cache",
    });
  });

  it("names a flag or env path that does not exist", async () => {
    const missing = path.join(dir, "nope.gguf");
    await expect(resolveQuickstartModel({ modelFlag: missing, env: {}, cacheDir })).rejects.toThrow(missing);
    const error = await failure(resolveQuickstartModel({ env: { MEDSAFETY_MODEL: missing }, cacheDir }));
    expect(error.message).toContain("MEDSAFETY_MODEL");
  });

  it("downloads, verifies, reports increasing progress and marks the cached file as verified", async () => {
    const progress: [number, number | undefined][] = [];
    const model = modelFor(small, server.url);
    const resolved = await resolveQuickstartModel({
      env: {},
      cacheDir,
      model,
      onProgress: (received, total) => progress.push([received, total]),
    });
    expect(resolved).toEqual({ path: path.join(cacheDir, "test.gguf"), source: "download" });
    expect((await readFile(resolved.path)).equals(small)).toBe(true);
    expect((await readFile(`${resolved.path}.verified`, "utf8")).trim()).toBe(model.sha256);
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.every(([received], index) => index === 0 || received > (progress[index - 1]?.[0] ?? 0))).toBe(true);
    expect(progress.at(-1)).toEqual([small.length, small.length]);
    expect((await readdir(cacheDir)).sort()).toEqual(["test.gguf", "test.gguf.verified"]);
    // Downloaded by ranged requests (what makes resumption possible), the whole file in them.
    expect(dataRanges(server.requests)).toEqual([`bytes=0-${small.length - 1}`]);
  });

  it("deletes a download whose sha256 does not match, naming the URL, both hashes and what to do", async () => {
    const tampered = Buffer.from(small);
    tampered[10] = (tampered[10] ?? 0) ^ 0xff;
    const model = modelFor(tampered, server.url);
    const error = await failure(resolveQuickstartModel({ env: {}, cacheDir, model }));
    const actual = createHash("sha256").update(small).digest("hex");
    for (const part of ["sha256 mismatched", server.url, model.sha256, actual, "--model", "MEDSAFETY_MODEL"])
      expect(error.message).toContain(part);
    expect(await readdir(cacheDir)).toEqual([]);
  });

  it("stops before downloading when the server announces another size", async () => {
    const model = { ...modelFor(small, server.url), sizeBytes: small.length + 1 };
    const error = await failure(resolveQuickstartModel({ env: {}, cacheDir, model }));
    expect(error.message).toContain(`the server announces ${small.length} bytes, not the expected ${small.length + 1}`);
    expect(dataRanges(server.requests)).toEqual([]);
    expect(await readdir(cacheDir)).toEqual([]);
  });

  it("keeps what arrived when the connection drops, and the next call resumes it with a Range request", async () => {
    // The downloader records progress per 5 MiB chunk (fixed in node-llama-cpp), so resuming needs a file of more
    // than one chunk: 12 MiB, three chunks, fetched by parallel ranged requests.
    const chunk = 5 * 1024 * 1024;
    const large = randomBytes(12 * 1024 * 1024);
    const big = await serveFile(large);
    try {
      const model = modelFor(large, big.url);
      const target = path.join(cacheDir, "test.gguf");
      big.mode = "dropRanges";
      // The download stops (as when the process is killed) once no new byte has come for a second: the first chunk
      // arrived, the connections of the others keep dropping.
      const stop = new AbortController();
      let timer: NodeJS.Timeout | undefined;
      const stopWhenStalled = (): void => {
        clearTimeout(timer);
        timer = setTimeout(() => stop.abort(), 1_000);
      };
      stopWhenStalled();
      const error: unknown = await resolveQuickstartModel({
        env: {},
        cacheDir,
        model,
        signal: stop.signal,
        onProgress: stopWhenStalled,
      }).catch((caught: unknown) => caught);
      clearTimeout(timer);
      expect(error).toBeInstanceOf(MedsafetyError);
      expect(error).toMatchObject({ code: "cancelled" });
      expect((error as Error).message).toContain(
        `What arrived is kept in ${target}.ipull; run the same command again to resume.`,
      );
      expect(existsSync(`${target}.ipull`)).toBe(true);
      expect(existsSync(target)).toBe(false);

      big.mode = "serve";
      big.requests.length = 0;
      const progress: number[] = [];
      const resolved = await resolveQuickstartModel({
        env: {},
        cacheDir,
        model,
        onProgress: (received) => progress.push(received),
      });
      expect(resolved).toEqual({ path: target, source: "download" });
      const ranges = dataRanges(big.requests);
      expect(ranges.length).toBeGreaterThan(0);
      // Only what was missing: every data request starts after the first chunk, which the first call completed.
      for (const range of ranges) expect(Number(/^bytes=(\d+)-/.exec(range)?.[1])).toBeGreaterThanOrEqual(chunk);
      expect(progress[0]).toBeGreaterThanOrEqual(chunk);
      expect((await readFile(target)).equals(large)).toBe(true);
      expect((await readdir(cacheDir)).sort()).toEqual(["test.gguf", "test.gguf.verified"]);
    } finally {
      await big.close();
    }
  });

  it("explains how to go on when offline, at once", async () => {
    const model = modelFor(small, offline);
    const started = Date.now();
    const error = await failure(resolveQuickstartModel({ env: {}, cacheDir, model }));
    expect(Date.now() - started).toBeLessThan(5_000);
    for (const hint of [
      "--model",
      "MEDSAFETY_MODEL",
      offline,
      model.sha256,
      path.join(cacheDir, "test.gguf"),
      "npx medsafety init",
      "fetch failed",
      "ECONNREFUSED",
    ]) {
      expect(error.message).toContain(hint);
    }
    expect(error.message).not.toContain("resume");
  });

  it("reports an HTTP error the same way, leaving nothing behind", async () => {
    server.mode = "notFound";
    await expect(resolveQuickstartModel({ env: {}, cacheDir, model: modelFor(small, server.url) })).rejects.toThrow(
      /HTTP 404 Not Found.*--model/,
    );
    expect(await readdir(cacheDir)).toEqual([]);
  });

  it("does not download a verified file again; checks an unverified one once and replaces a damaged one", async () => {
    const model = modelFor(small, server.url);
    const cached = path.join(cacheDir, "test.gguf");
    await resolveQuickstartModel({ env: {}, cacheDir, model });
    server.requests.length = 0;
    expect(await resolveQuickstartModel({ env: {}, cacheDir, model })).toEqual({ path: cached, source: "cache" });
    await rm(`${cached}.verified`);
    expect(await resolveQuickstartModel({ env: {}, cacheDir, model })).toMatchObject({ source: "cache" });
    expect(existsSync(`${cached}.verified`)).toBe(true);
    expect(server.requests).toEqual([]);
    await writeFile(cached, "damaged");
    expect(await resolveQuickstartModel({ env: {}, cacheDir, model })).toMatchObject({ source: "download" });
    expect((await readFile(cached)).equals(small)).toBe(true);
    expect(server.requests.length).toBeGreaterThan(0);
  });
});

describe("DEFAULT_QUICKSTART_MODEL", () => {
  it("pins a multilingual instruct GGUF by URL, size and sha256", () => {
    expect(DEFAULT_QUICKSTART_MODEL.url).toMatch(
      /^https:\/\/huggingface\.co\/Qwen\/.+\/qwen2\.5-0\.5b-instruct-q4_k_m\.gguf$/,
    );
    expect(DEFAULT_QUICKSTART_MODEL.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(DEFAULT_QUICKSTART_MODEL.sizeBytes).toBe(491_400_032);
  });

  it("caches under XDG_CACHE_HOME when set", () => {
    expect(defaultModelCacheDir({ XDG_CACHE_HOME: "/x" })).toBe(path.join("/x", "medsafety", "models"));
    expect(defaultModelCacheDir({})).toBe(path.join(os.homedir(), ".cache", "medsafety", "models"));
  });
});
