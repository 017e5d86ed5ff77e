import { createReadStream, existsSync, readFileSync, statSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { join, resolve } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readBenchmark } from "../../src/datasets/index.js";
import { runInProcess } from "../support/in-process-cli.js";
import { MEDSAFETYBENCH_DATA, skipWithout } from "../support/requirements.js";
import { REPO_ROOT, tempProject } from "./cli-harness.js";

const DATA = resolve(REPO_ROOT, "../shared/data/medsafetybench");
const HAS_DATA = !skipWithout(MEDSAFETYBENCH_DATA);
if (!HAS_DATA)
  console.warn(`import.test.ts: ${DATA} not found; the e2e imports of the real MedSafetyBench data are SKIPPED`);

function lineCount(path: string): number {
  return readFileSync(path, "utf8")
    .split("\n")
    .filter((line) => line !== "").length;
}

/** The last stderr line is the one-paragraph error (a download notice may come before it), with no stack trace. */
function errorParagraph(stderr: string): string {
  expect(stderr).not.toMatch(/\n\s+at /);
  const lines = stderr.trim().split("\n");
  const last = lines[lines.length - 1] ?? "";
  expect(last).toMatch(/^medsafety: /);
  return last;
}

describe.skipIf(!HAS_DATA)("medsafety import medsafetybench, the real data (e2e)", () => {
  it("imports the test split: 900 lines, the summary counts, a file the project's reader accepts", async () => {
    const folder = tempProject("medsafety-import-");
    const result = await runInProcess(["import", "medsafetybench", DATA], { cwd: folder });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const out = join(folder, "medsafetybench.jsonl");
    expect(lineCount(out)).toBe(900);
    expect(result.stdout).toContain(`imported 900 MedSafetyBench items from ${DATA} (18 files)`);
    expect(result.stdout).toMatch(/^ {2}test\/gpt4 +450$/m);
    expect(result.stdout).toMatch(/^ {2}test\/llama2 +450$/m);
    // Per category: 50 gpt4 + llama2 59/57/31/56/50/24/61/64/48.
    for (const [category, count] of [
      [1, 109],
      [3, 81],
      [6, 74],
      [8, 114],
      [9, 98],
    ]) {
      expect(result.stdout).toMatch(new RegExp(`^  ${category} +${count}$`, "m"));
    }
    expect(result.stdout).toContain("llama3 lines cleaned: 0");
    expect(result.stdout).toContain(`wrote ${out}`);
    expect(result.stdout).toContain("benchmark: ./medsafetybench.jsonl");

    const ids = new Set<string>();
    for await (const { item } of readBenchmark(out)) {
      ids.add(item.id);
      expect(item.rubric).toBe("medsafetybench-harm");
    }
    expect(ids.size).toBe(900);
    expect(ids.has("msb-test-llama2-c6-023")).toBe(true);
  });

  it("--split train --source gpt4 gives 450 items", async () => {
    const folder = tempProject("medsafety-import-");
    const result = await runInProcess(
      ["import", "medsafetybench", DATA, "--split", "train", "--source", "gpt4", "--out", "out/train.jsonl"],
      { cwd: folder },
    );
    expect(result.code).toBe(0);
    expect(lineCount(join(folder, "out/train.jsonl"))).toBe(450);
    expect(result.stdout).toMatch(/^ {2}train\/gpt4 +450$/m);
    expect(result.stdout).not.toContain("llama2");
  });

  it("--ft-split imports a fine-tuning split as items, medical pairs mapped to their AMA principle", async () => {
    const folder = tempProject("medsafety-import-");
    const result = await runInProcess(
      ["import", "medsafetybench", DATA, "--ft-split", "both_safety/ft_safety_both_n1800", "--out", "ft.jsonl"],
      { cwd: folder },
    );
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain("imported 1800 items of fine-tuning split both_safety/ft_safety_both_n1800");
    const items = [];
    for await (const versioned of readBenchmark(join(folder, "ft.jsonl"))) items.push(versioned.item);
    expect(items).toHaveLength(1800);
    // n1800 = the 900 medical pairs (all train requests, so each maps to ama-k) + 900 general-safety pairs.
    const medical = items.filter((item) => item.metadata["source"] === "ft-medical");
    expect(medical).toHaveLength(900);
    expect(medical.every((item) => /^ama-[1-9]$/.test(item.guidelineId))).toBe(true);
    expect(items.filter((item) => item.guidelineId === "general-safety")).toHaveLength(900);
    expect(
      items.every(
        (item) => typeof item.metadata["referenceResponse"] === "string" && item.rubric === "medsafetybench-harm",
      ),
    ).toBe(true);
    const bad = await runInProcess(["import", "medsafetybench", DATA, "--ft-split", "nope"], { cwd: folder });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("med_safety/ft_safety_med_n900");
  });

  describe("from a URL", () => {
    let server: Server;
    let base: string;
    beforeAll(async () => {
      // Serves the shared copy as a repository's raw files would be served: <base>/datasets/...
      server = createServer((request, response) => {
        const path = join(DATA, decodeURIComponent((request.url ?? "").replace(/^\/med-safety-bench\//, "")));
        if (!path.startsWith(`${DATA}/`) || !existsSync(path) || !statSync(path).isFile()) {
          response.writeHead(404).end("not found");
          return;
        }
        response.writeHead(200, { "content-type": "text/plain" });
        createReadStream(path).pipe(response);
      });
      await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(async () => {
      await new Promise<void>((done) => server.close(() => done()));
    });

    it("downloads the needed files and imports them", async () => {
      const folder = tempProject("medsafety-import-");
      const result = await runInProcess(
        ["import", "medsafetybench", `${base}/med-safety-bench`, "--source", "llama2"],
        {
          cwd: folder,
        },
      );
      expect(result.code).toBe(0);
      expect(result.stderr).toContain("downloading 9 MedSafetyBench files");
      expect(lineCount(join(folder, "medsafetybench.jsonl"))).toBe(450);
    });

    it("a URL whose files are missing (404) exits 2 with the how-to-proceed paragraph", async () => {
      const folder = tempProject("medsafety-import-");
      const result = await runInProcess(["import", "medsafetybench", `${base}/elsewhere`], { cwd: folder });
      expect(result.code).toBe(2);
      expect(errorParagraph(result.stderr)).toMatch(/HTTP 404.*clone the repository/);
      expect(existsSync(join(folder, "medsafetybench.jsonl"))).toBe(false);
    });
  });
});
