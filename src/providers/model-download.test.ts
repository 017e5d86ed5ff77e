import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
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

const body = Buffer.from("GGUF fake model bytes ".repeat(500));
const fakeModel: QuickstartModel = {
  name: "fake tiny model",
  url: "https://models.example.test/fake.gguf",
  fileName: "fake.gguf",
  sizeBytes: body.length,
  sha256: createHash("sha256").update(body).digest("hex"),
  license: "MIT",
  source: "test",
};

/** A fetch that streams `bytes` in chunks of 1,000, like a real download. */
function fakeFetch(bytes: Buffer, calls: string[] = []): typeof fetch {
  return (input) => {
    calls.push(String(input));
    const stream = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let offset = 0; offset < bytes.length; offset += 1000)
          controller.enqueue(new Uint8Array(bytes.subarray(offset, offset + 1000)));
        controller.close();
      },
    });
    return Promise.resolve(new Response(stream, { status: 200, headers: { "content-length": String(bytes.length) } }));
  };
}

const offlineFetch: typeof fetch = () =>
  Promise.reject(new TypeError("fetch failed", { cause: new Error("getaddrinfo ENOTFOUND huggingface.co") }));

describe("resolveQuickstartModel", () => {
  let dir: string;
  let cacheDir: string;
  let flagFile: string;
  let envFile: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "medsafety-model-"));
    cacheDir = path.join(dir, "cache");
    flagFile = path.join(dir, "flag.gguf");
    envFile = path.join(dir, "env.gguf");
    await Promise.all([writeFile(flagFile, "flag"), writeFile(envFile, "env")]);
  });
  afterEach(() => rm(dir, { recursive: true, force: true }));

  it("prefers the flag, then MEDSAFETY_MODEL, then the cache", async () => {
    const env = { MEDSAFETY_MODEL: envFile };
    const common = { cacheDir, model: fakeModel, fetch: offlineFetch };
    expect(await resolveQuickstartModel({ ...common, modelFlag: flagFile, env })).toEqual({
      path: flagFile,
      source: "flag",
    });
    expect(await resolveQuickstartModel({ ...common, env })).toEqual({ path: envFile, source: "env" });
    await resolveQuickstartModel({ ...common, env: {}, fetch: fakeFetch(body) });
    expect(await resolveQuickstartModel({ ...common, env: {} })).toEqual({
      path: path.join(cacheDir, "fake.gguf"),
      source: "cache",
    });
  });

  it("names a flag or env path that does not exist", async () => {
    const missing = path.join(dir, "nope.gguf");
    await expect(resolveQuickstartModel({ modelFlag: missing, env: {}, cacheDir })).rejects.toThrow(missing);
    const error: unknown = await resolveQuickstartModel({ env: { MEDSAFETY_MODEL: missing }, cacheDir }).catch(
      (caught: unknown) => caught,
    );
    expect(error).toBeInstanceOf(MedsafetyError);
    expect(error).toMatchObject({ code: "model_unavailable" });
    expect((error as Error).message).toContain("MEDSAFETY_MODEL");
  });

  it("downloads, verifies, reports increasing progress and marks the cached file as verified", async () => {
    const progress: [number, number | undefined][] = [];
    const calls: string[] = [];
    const resolved = await resolveQuickstartModel({
      env: {},
      cacheDir,
      model: fakeModel,
      fetch: fakeFetch(body, calls),
      onProgress: (received, total) => progress.push([received, total]),
    });
    expect(resolved).toEqual({ path: path.join(cacheDir, "fake.gguf"), source: "download" });
    expect(calls).toEqual([fakeModel.url]);
    expect(await readFile(resolved.path)).toEqual(body);
    expect((await readFile(`${resolved.path}.verified`, "utf8")).trim()).toBe(fakeModel.sha256);
    expect(progress.length).toBeGreaterThan(1);
    expect(progress.every(([received], index) => index === 0 || received > (progress[index - 1]?.[0] ?? 0))).toBe(true);
    expect(progress.at(-1)).toEqual([body.length, body.length]);
    expect(await readdir(cacheDir)).not.toContain("fake.gguf.partial");
  });

  it("deletes a download whose sha256 does not match", async () => {
    const tampered = Buffer.from(body);
    tampered[10] = 0x41;
    const error: unknown = await resolveQuickstartModel({
      env: {},
      cacheDir,
      model: fakeModel,
      fetch: fakeFetch(tampered),
    }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: "model_unavailable" });
    expect((error as Error).message).toContain("sha256 mismatched");
    expect(await readdir(cacheDir)).toEqual([]);
  });

  it("checks an unverified cached file once and replaces a damaged one", async () => {
    const cached = path.join(cacheDir, "fake.gguf");
    await resolveQuickstartModel({ env: {}, cacheDir, model: fakeModel, fetch: fakeFetch(body) });
    await rm(`${cached}.verified`);
    expect(await resolveQuickstartModel({ env: {}, cacheDir, model: fakeModel, fetch: offlineFetch })).toMatchObject({
      source: "cache",
    });
    expect(existsSync(`${cached}.verified`)).toBe(true);
    await writeFile(cached, "damaged");
    expect(await resolveQuickstartModel({ env: {}, cacheDir, model: fakeModel, fetch: fakeFetch(body) })).toMatchObject(
      { source: "download" },
    );
  });

  it("explains how to go on when offline", async () => {
    const error: unknown = await resolveQuickstartModel({
      env: {},
      cacheDir,
      model: fakeModel,
      fetch: offlineFetch,
    }).catch((caught: unknown) => caught);
    expect(error).toMatchObject({ code: "model_unavailable" });
    const message = (error as Error).message;
    for (const hint of [
      "--model",
      "MEDSAFETY_MODEL",
      fakeModel.url,
      fakeModel.sha256,
      path.join(cacheDir, "fake.gguf"),
      "npx medsafety init",
      "fetch failed",
    ]) {
      expect(message).toContain(hint);
    }
  });

  it("reports an HTTP error the same way", async () => {
    const notFound: typeof fetch = () => Promise.resolve(new Response("no", { status: 404, statusText: "Not Found" }));
    await expect(resolveQuickstartModel({ env: {}, cacheDir, model: fakeModel, fetch: notFound })).rejects.toThrow(
      /HTTP 404.*--model/,
    );
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
