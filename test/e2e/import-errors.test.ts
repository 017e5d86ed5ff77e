/**
 * `medsafety import medsafetybench` refusing what it cannot import: one paragraph naming the path or URL and how to
 * proceed. (The imports of the real data are in import.test.ts, slow tier.)
 */
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { runInProcess } from "../support/in-process-cli.js";
import { REPO_ROOT, tempProject } from "./cli-harness.js";

const DATA = resolve(REPO_ROOT, "../shared/data/medsafetybench");

/** The last stderr line is the one-paragraph error (a download notice may come before it), with no stack trace. */
function errorParagraph(stderr: string): string {
  expect(stderr).not.toMatch(/\n\s+at /);
  const lines = stderr.trim().split("\n");
  const last = lines[lines.length - 1] ?? "";
  expect(last).toMatch(/^medsafety: /);
  return last;
}

describe("medsafety import medsafetybench, bad input (e2e)", () => {
  it("a directory that does not exist: exit 2 naming the path", async () => {
    const folder = tempProject("medsafety-import-");
    const missing = join(folder, "no-such-clone");
    const result = await runInProcess(["import", "medsafetybench", missing], { cwd: folder });
    expect(result.code).toBe(2);
    expect(errorParagraph(result.stderr)).toContain(`${missing}: MedSafetyBench directory not found`);
    expect(result.stderr).toContain("contains datasets/");
  });

  it("an unreachable URL: non-zero exit with one paragraph saying how to proceed offline", async () => {
    const folder = tempProject("medsafety-import-");
    const result = await runInProcess(["import", "medsafetybench", "http://127.0.0.1:9/med-safety-bench"], {
      cwd: folder,
    });
    expect(result.code).not.toBe(0);
    const paragraph = errorParagraph(result.stderr);
    expect(paragraph).toContain("could not download MedSafetyBench from http://127.0.0.1:9/med-safety-bench");
    expect(paragraph).toMatch(
      /clone the repository \(git clone https:\/\/github\.com\/AI4LIFE-GROUP\/med-safety-bench\) or download its datasets\/ folder, then pass the directory/,
    );
    expect(existsSync(join(folder, "medsafetybench.jsonl"))).toBe(false);
  });

  it("an unknown --split value is rejected by the flag parser", async () => {
    const folder = tempProject("medsafety-import-");
    const result = await runInProcess(["import", "medsafetybench", DATA, "--split", "eval"], { cwd: folder });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain("--split");
  });
});
