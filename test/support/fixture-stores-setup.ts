/**
 * Vitest global setup of the e2e tier: one temporary folder per test run where test/support/fixture-stores.ts builds
 * each shared fixture store once; removed at the end.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";

export default function setup(project: TestProject): () => void {
  const root = mkdtempSync(join(tmpdir(), "medsafety-fixture-stores-"));
  project.provide("fixtureStoreRoot", root);
  return () => rmSync(root, { recursive: true, force: true });
}
