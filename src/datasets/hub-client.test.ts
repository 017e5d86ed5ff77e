import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InputError, MedsafetyError } from "../core/index.js";
import { type FixtureHub, startFixtureHub } from "../testing/fixture-hub.js";
import { dataFilesOf, downloadHubFile, fetchDatasetInfo, type HubClientOptions, parseHubSource } from "./hub-client.js";

const MAIN = "a".repeat(40);
const V1 = "b".repeat(40);
const TOKEN = "hf_fixture_secret_token";
/** A file large enough to be cut off mid-body. */
const BIG_JSON = JSON.stringify(
  Array.from({ length: 200 }, (_, index) => ({ id: index, text: `row ${index} テキスト` })),
);
const PARQUET = new Uint8Array(Array.from({ length: 5000 }, (_, index) => index % 251));

const folder = mkdtempSync(join(tmpdir(), "medsafety-hub-"));
let hub: FixtureHub;

beforeAll(async () => {
  hub = await startFixtureHub({
    datasets: [
      {
        repo: "org/bench",
        license: "cc-by-nc-4.0",
        refs: { main: MAIN, v1: V1 },
        commits: {
          [MAIN]: { "README.md": "# card", "data/train.json": BIG_JSON, "data/test.parquet": PARQUET },
          [V1]: { "data/train.json": "[]" },
        },
      },
      { repo: "org/gated", refs: { main: MAIN }, commits: { [MAIN]: { "data.parquet": PARQUET } }, gatedToken: TOKEN },
    ],
    dropAfter: { path: "data/train.json", bytes: 1000, times: 1 },
  });
});
afterAll(async () => {
  await hub.close();
  rmSync(folder, { recursive: true, force: true });
});

let cacheCount = 0;
function client(extra: Partial<HubClientOptions> = {}): HubClientOptions {
  cacheCount += 1;
  return { endpoint: hub.endpoint, cacheDir: join(folder, `cache-${cacheCount}`), retryDelayMs: 0, ...extra };
}

function source(text: string) {
  const parsed = parseHubSource(text);
  if (parsed === undefined) throw new Error("not hf://");
  return parsed;
}

async function rejection(promise: Promise<unknown>): Promise<MedsafetyError> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(MedsafetyError);
    return error as MedsafetyError;
  }
  throw new Error("expected a failure");
}

describe("parseHubSource", () => {
  it("reads org/name, a revision (with %2F) and a path; refuses a bad name", () => {
    expect(parseHubSource("./x.json")).toBeUndefined();
    expect(parseHubSource("hf://org/name")).toMatchObject({ repo: "org/name", revision: "main" });
    expect(parseHubSource("hf://datasets/org/name@refs%2Fconvert%2Fparquet/default/train")).toMatchObject({
      repo: "org/name",
      revision: "refs/convert/parquet",
      path: "default/train",
    });
    expect(() => parseHubSource("hf://justname")).toThrow(InputError);
  });
});

describe("the Hub client against the fixture Hub", () => {
  it("resolves a branch to its commit, lists data files, reads the card's licence and downloads through the CDN", async () => {
    const options = client();
    const events: string[] = [];
    const dataset = await fetchDatasetInfo(source("hf://org/bench"), {
      ...options,
      onEvent: (event) => events.push(event),
    });
    expect(dataset).toMatchObject({ repo: "org/bench", commit: MAIN, license: "cc-by-nc-4.0", gated: false });
    expect(dataFilesOf(dataset, undefined, (file) => file.endsWith(".json") || file.endsWith(".parquet"))).toEqual([
      "data/test.parquet",
      "data/train.json",
    ]);
    const path = await downloadHubFile(source("hf://org/bench"), dataset, "data/test.parquet", options);
    expect(path).toBe(join(options.cacheDir, "org", "bench", MAIN, "data", "test.parquet"));
    expect(new Uint8Array(readFileSync(path))).toEqual(PARQUET);
    const cdn = hub.requests.filter((request) => request.server === "cdn");
    expect(cdn.length).toBeGreaterThan(0);
  });

  it("pins a tag to its commit; a pinned sha is read from the cache without the network", async () => {
    const options = client();
    const dataset = await fetchDatasetInfo(source("hf://org/bench@v1"), options);
    expect(dataset.commit).toBe(V1);
    expect(dataset.files).toEqual(["data/train.json"]);
    const path = await downloadHubFile(source("hf://org/bench@v1"), dataset, "data/train.json", options);
    expect(readFileSync(path, "utf8")).toBe("[]");
    const offline = { ...options, endpoint: "http://127.0.0.1:9" };
    const again = await fetchDatasetInfo(source(`hf://org/bench@${V1}`), offline);
    expect(again.commit).toBe(V1);
    expect(await downloadHubFile(source(`hf://org/bench@${V1}`), again, "data/train.json", offline)).toBe(path);
  });

  it("resumes with Range after the connection drops mid-file, and the file is whole", async () => {
    const options = client();
    const before = hub.requests.length;
    const dataset = await fetchDatasetInfo(source("hf://org/bench"), options);
    const events: string[] = [];
    const path = await downloadHubFile(source("hf://org/bench"), dataset, "data/train.json", {
      ...options,
      onEvent: (event) => events.push(event),
    });
    expect(readFileSync(path, "utf8")).toBe(BIG_JSON);
    const ranges = hub.requests.slice(before).map((request) => request.headers["range"]);
    expect(ranges).toContain("bytes=1000-");
    expect(events).toContain("data/train.json: resuming at byte 1000");
  });

  it("with no retries left, keeps the bytes received and the next run resumes from them", async () => {
    const dropping = await startFixtureHub({
      datasets: [{ repo: "org/bench", refs: { main: MAIN }, commits: { [MAIN]: { "data.parquet": PARQUET } } }],
      dropAfter: { path: "data.parquet", bytes: 700, times: 1 },
    });
    try {
      const options = client({ endpoint: dropping.endpoint, retries: 0 });
      const dataset = await fetchDatasetInfo(source("hf://org/bench"), options);
      const error = await rejection(downloadHubFile(source("hf://org/bench"), dataset, "data.parquet", options));
      expect(error.code).toBe("provider_network");
      expect(error.message).toContain("The 700 bytes received are kept in");
      expect(error.message).toContain("run the same command again to resume");
      const path = await downloadHubFile(source("hf://org/bench"), dataset, "data.parquet", options);
      expect(new Uint8Array(readFileSync(path))).toEqual(PARQUET);
      expect(
        dropping.requests.filter((request) => request.server === "cdn").map((request) => request.headers["range"]),
      ).toEqual([undefined, "bytes=700-"]);
    } finally {
      await dropping.close();
    }
  });

  it("resumes a partial file left by an earlier run", async () => {
    const options = client();
    const dataset = await fetchDatasetInfo(source("hf://org/bench"), options);
    const target = join(options.cacheDir, "org", "bench", MAIN, "data", "test.parquet");
    mkdirSync(join(options.cacheDir, "org", "bench", MAIN, "data"), { recursive: true });
    writeFileSync(`${target}.incomplete`, PARQUET.subarray(0, 1234));
    const before = hub.requests.length;
    const path = await downloadHubFile(source("hf://org/bench"), dataset, "data/test.parquet", options);
    expect(createHash("sha256").update(readFileSync(path)).digest("hex")).toBe(
      createHash("sha256").update(PARQUET).digest("hex"),
    );
    expect(existsSync(`${target}.incomplete`)).toBe(false);
    const cdnRanges = hub.requests
      .slice(before)
      .filter((request) => request.server === "cdn")
      .map((request) => request.headers["range"]);
    expect(cdnRanges).toEqual(["bytes=1234-"]);
  });

  it("a dataset that does not exist is bad input naming it", async () => {
    const error = await rejection(fetchDatasetInfo(source("hf://org/missing"), client()));
    expect(error).toBeInstanceOf(InputError);
    expect(error.message).toContain("dataset org/missing not found");
    // As the Hub does: 401 without a token (a private repository is not revealed), 404 with one.
    expect(error.message).toContain("HTTP 401 RepoNotFound");
    const withToken = await rejection(fetchDatasetInfo(source("hf://org/missing"), client({ token: TOKEN })));
    expect(withToken).toBeInstanceOf(InputError);
    expect(withToken.message).toContain("HTTP 404 RepoNotFound: Repository not found");
    expect(withToken.message).not.toContain(TOKEN);
  });

  it("a revision that does not exist is bad input naming it", async () => {
    const error = await rejection(fetchDatasetInfo(source("hf://org/bench@v9"), client()));
    expect(error.message).toContain('the dataset has no revision "v9"');
  });

  it("a gated dataset without a token: 401 and what to do; with HF_TOKEN, the token reaches the Hub only", async () => {
    const options = client();
    const dataset = await fetchDatasetInfo(source("hf://org/gated"), options);
    expect(dataset.gated).toBe(true);
    const error = await rejection(downloadHubFile(source("hf://org/gated"), dataset, "data.parquet", options));
    expect(error.code).toBe("provider_auth");
    expect(error.message).toContain("is a gated dataset");
    expect(error.message).toContain("HTTP 401 GatedRepo");
    expect(error.message).toContain("set HF_TOKEN");
    const before = hub.requests.length;
    const path = await downloadHubFile(source("hf://org/gated"), dataset, "data.parquet", { ...options, token: TOKEN });
    expect(new Uint8Array(readFileSync(path))).toEqual(PARQUET);
    const sent = hub.requests.slice(before);
    expect(
      sent
        .filter((request) => request.server === "hub")
        .every((request) => request.headers["authorization"] === `Bearer ${TOKEN}`),
    ).toBe(true);
    expect(sent.some((request) => request.server === "cdn")).toBe(true);
    expect(
      sent.filter((request) => request.server === "cdn").some((request) => "authorization" in request.headers),
    ).toBe(false);
  });

  it("offline (a closed port): says how to download elsewhere and pass local files", async () => {
    const port = await closedPort();
    const error = await rejection(
      fetchDatasetInfo(source("hf://org/bench@v1"), client({ endpoint: `http://127.0.0.1:${port}` })),
    );
    expect(error.code).toBe("provider_network");
    expect(error.message).toContain("cannot reach the Hugging Face Hub");
    expect(error.message).toContain("ECONNREFUSED");
    expect(error.message).toContain("huggingface-cli download org/bench --repo-type dataset --revision v1");
    expect(error.message).toContain("medsafety import dataset ./bench/<file>.parquet");
  });
});

/** A port nothing listens on: bound, read, and closed again. */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer();
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
