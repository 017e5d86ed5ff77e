import { hashValue } from "../../core/index.js";
import { type BenchmarkItem, readBenchmark } from "../../datasets/index.js";
import { NearDuplicateIndex, normalizeText } from "../jobs/index.js";

/** Counts by one dimension, largest first. */
export type Counts = Readonly<Record<string, number>>;

export interface DuplicatePair {
  readonly id: string;
  readonly duplicateOf: string;
  readonly similarity: number;
}

export interface BenchmarkStats {
  readonly file: string;
  readonly items: number;
  readonly turns: number;
  readonly by: {
    readonly guideline: Counts;
    readonly section: Counts;
    readonly strategy: Counts;
    readonly attacker: Counts;
    readonly language: Counts;
  };
  /** Items whose normalised user turns equal an earlier item's. */
  readonly exactDuplicates: number;
  /** Items (not exact duplicates) whose character n-gram Jaccard similarity to an earlier item of the same language and guideline is ≥ the threshold. */
  readonly nearDuplicates: number;
  readonly nearThreshold: number | null;
  /** The first duplicate pairs (at most 20). */
  readonly duplicateExamples: readonly DuplicatePair[];
  /** Items flagged by `translate` (back-translation below its threshold). */
  readonly flaggedTranslations: number;
}

export interface StatsOptions {
  /** Near-duplicate threshold (default 0.9); null skips the near-duplicate pass. */
  readonly nearThreshold?: number | null;
  readonly ngram?: number;
}

const NONE = "(none)";

/**
 * Streams a benchmark file once and counts items by guideline, section (`metadata.guidelineSection`), strategy,
 * attacker (`metadata.attacker`) and language; finds exact duplicates (normalised turns) and near duplicates
 * (character n-gram Jaccard within the same language and guideline, where benchmark near duplicates live).
 */
export async function benchmarkStats(path: string, options: StatsOptions = {}): Promise<BenchmarkStats> {
  const nearThreshold = options.nearThreshold === undefined ? 0.9 : options.nearThreshold;
  const near = nearThreshold === null ? undefined : new NearDuplicateIndex(nearThreshold, options.ngram ?? 3);
  const by = {
    guideline: new Map<string, number>(),
    section: new Map<string, number>(),
    strategy: new Map<string, number>(),
    attacker: new Map<string, number>(),
    language: new Map<string, number>(),
  };
  const seen = new Map<string, string>();
  const examples: DuplicatePair[] = [];
  let items = 0;
  let turns = 0;
  let exactDuplicates = 0;
  let nearDuplicates = 0;
  let flaggedTranslations = 0;
  for await (const { item } of readBenchmark(path)) {
    items += 1;
    turns += item.turns.length;
    increment(by.guideline, item.guidelineId);
    increment(by.section, label(item.metadata["guidelineSection"] ?? item.metadata["section"]));
    increment(by.strategy, item.strategy);
    increment(by.attacker, label(item.metadata["attacker"]));
    increment(by.language, item.language);
    if (isFlagged(item)) flaggedTranslations += 1;
    const text = item.turns.join("\n");
    const exactKey = hashValue([item.language, normalizeText(text)]);
    const exact = seen.get(exactKey);
    if (exact !== undefined) {
      exactDuplicates += 1;
      if (examples.length < 20) examples.push({ id: item.id, duplicateOf: exact, similarity: 1 });
      continue;
    }
    seen.set(exactKey, item.id);
    const match = near?.add(item.id, text, `${item.language}\u0000${item.guidelineId}`);
    if (match !== undefined) {
      nearDuplicates += 1;
      if (examples.length < 20)
        examples.push({
          id: item.id,
          duplicateOf: match.keptId,
          similarity: Math.round(match.similarity * 1000) / 1000,
        });
    }
  }
  const sorted = (counts: Map<string, number>): Counts =>
    Object.fromEntries([...counts].sort(([a, left], [b, right]) => right - left || a.localeCompare(b)));
  return {
    file: path,
    items,
    turns,
    by: {
      guideline: sorted(by.guideline),
      section: sorted(by.section),
      strategy: sorted(by.strategy),
      attacker: sorted(by.attacker),
      language: sorted(by.language),
    },
    exactDuplicates,
    nearDuplicates,
    nearThreshold,
    duplicateExamples: examples,
    flaggedTranslations,
  };
}

function increment(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

function label(value: unknown): string {
  return typeof value === "string" && value !== "" ? value : NONE;
}

function isFlagged(item: BenchmarkItem): boolean {
  const translation = item.metadata["translation"];
  return (
    typeof translation === "object" && translation !== null && (translation as { flagged?: unknown }).flagged === true
  );
}
