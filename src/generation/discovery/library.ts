import { hashValue } from "../../core/index.js";
import type { BilingualText } from "../strategies/index.js";

/** What the summarizer names: the strategy that made a later attempt score higher (validated with zod). */
export interface StrategySummary {
  readonly name: BilingualText;
  readonly definition: BilingualText;
  readonly example: BilingualText;
}

/** Provenance of a discovered strategy: the run, the attempts and summaries it came from, the candidates merged into it. */
export interface DiscoveryLineage {
  readonly runId: string;
  readonly attemptIds: readonly string[];
  readonly summaryKeys: readonly string[];
  /** Ids the near-duplicate candidates merged into this strategy would have had. */
  readonly mergedIds: readonly string[];
}

export interface DiscoveredStrategy extends StrategySummary {
  /** Kebab-case id, deterministic: `d-<name slug>-<hash of the first summary key>`. */
  readonly id: string;
  readonly seq: number;
  /** Unit-length embedding of the strategy's text (`name: definition`, English), for near-duplicate merging. */
  readonly embedding: Float32Array;
  readonly targetId: string;
  readonly firstAttemptKey: string;
  readonly firstDiscoveredAt: string;
  readonly lineage: DiscoveryLineage;
  /** Every score gain recorded for it: its discoveries, then each lifelong attempt it was recommended for. */
  readonly gains: readonly number[];
}

/** A library key: the (unit-length) embedding of a target response the strategy overcame. */
export interface LibraryKey {
  readonly key: string;
  readonly strategyId: string;
  readonly embedding: Float32Array;
  readonly gain: number;
}

/** The strategy library as an immutable value: strategies by id (in discovery order) and the keys retrieval searches. */
export interface StrategyLibrary {
  readonly strategies: ReadonlyMap<string, DiscoveredStrategy>;
  readonly keys: readonly LibraryKey[];
}

export const EMPTY_LIBRARY: StrategyLibrary = { strategies: new Map(), keys: [] };

/** A strategy found for a response, with the best similarity of its keys and its mean recorded gain. */
export interface RetrievedStrategy {
  readonly strategy: DiscoveredStrategy;
  readonly similarity: number;
  readonly meanGain: number;
}

/** A new summary to add: its text embedding, the response it overcame, the gain and where it came from. */
export interface StrategyCandidate {
  readonly summary: StrategySummary;
  readonly summaryKey: string;
  readonly embedding: Float32Array;
  readonly responseEmbedding: Float32Array;
  readonly gain: number;
  readonly attemptIds: readonly string[];
  readonly runId: string;
  readonly targetId: string;
  readonly discoveredAt: string;
}

export interface AddOutcome {
  readonly library: StrategyLibrary;
  readonly strategyId: string;
  /** True when the candidate was merged into an existing strategy (similarity ≥ the threshold). */
  readonly merged: boolean;
  /** Similarity to the closest existing strategy (null for the first). */
  readonly similarity: number | null;
}

/** A copy scaled to unit length (all zeros stay zeros), so cosine similarity is a dot product. */
export function normalize(vector: Float32Array): Float32Array {
  let norm = 0;
  for (const value of vector) norm += value * value;
  const scale = norm === 0 ? 0 : 1 / Math.sqrt(norm);
  return vector.map((value) => value * scale);
}

/** Dot product of two vectors of the same length: the cosine similarity of unit vectors. */
export function dot(left: Float32Array, right: Float32Array): number {
  let sum = 0;
  const length = Math.min(left.length, right.length);
  for (let index = 0; index < length; index += 1) sum += (left[index] as number) * (right[index] as number);
  return sum;
}

/**
 * `d-<slug of the English name, ≤ 40 chars>-<6 hex of the summary's content hash>`: kebab-case, never a built-in id, and
 * the same for the same text in any run (so `strategies show` finds a strategy in every run that discovered it).
 */
export function discoveredStrategyId(name: string, summary: unknown): string {
  const slug = name
    .normalize("NFKD")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 40)
    .replace(/-+$/, "");
  return `d-${slug === "" ? "strategy" : `${slug}`}-${hashValue(summary, 6)}`;
}

/**
 * Adds a summarised strategy. When its text embedding is at least `mergeSimilarity` (cosine) from an existing
 * strategy's, it is merged into the closest one (lineage: attempts, summaries and the merged candidate's id are
 * added; the text of the first discovery stays); otherwise it becomes a new strategy. Either way the response it
 * overcame becomes a new library key. Pure: returns a new library.
 */
export function addStrategy(
  library: StrategyLibrary,
  candidate: StrategyCandidate,
  mergeSimilarity: number,
): AddOutcome {
  const embedding = normalize(candidate.embedding);
  let closest: DiscoveredStrategy | undefined;
  let similarity: number | null = null;
  for (const strategy of library.strategies.values()) {
    const value = dot(embedding, strategy.embedding);
    if (similarity === null || value > similarity) {
      similarity = value;
      closest = strategy;
    }
  }
  const candidateId = discoveredStrategyId(candidate.summary.name.en, candidate.summary);
  const merged = closest !== undefined && similarity !== null && similarity >= mergeSimilarity;
  const strategies = new Map(library.strategies);
  let strategyId: string;
  if (merged && closest !== undefined) {
    strategyId = closest.id;
    strategies.set(closest.id, {
      ...closest,
      gains: [...closest.gains, candidate.gain],
      lineage: {
        ...closest.lineage,
        attemptIds: unique([...closest.lineage.attemptIds, ...candidate.attemptIds]),
        summaryKeys: unique([...closest.lineage.summaryKeys, candidate.summaryKey]),
        mergedIds: unique([...closest.lineage.mergedIds, candidateId]),
      },
    });
  } else {
    strategyId = uniqueId(candidateId, strategies);
    strategies.set(strategyId, {
      ...candidate.summary,
      id: strategyId,
      seq: strategies.size,
      embedding,
      targetId: candidate.targetId,
      firstAttemptKey: candidate.attemptIds.at(-1) ?? "",
      firstDiscoveredAt: candidate.discoveredAt,
      gains: [candidate.gain],
      lineage: {
        runId: candidate.runId,
        attemptIds: [...candidate.attemptIds],
        summaryKeys: [candidate.summaryKey],
        mergedIds: [],
      },
    });
  }
  const key: LibraryKey = {
    key: candidate.summaryKey,
    strategyId,
    embedding: normalize(candidate.responseEmbedding),
    gain: candidate.gain,
  };
  return { library: { strategies, keys: [...library.keys, key] }, strategyId, merged, similarity };
}

/** Records the gain of a lifelong attempt for each strategy the attacker was told to use. Pure. */
export function recordUses(library: StrategyLibrary, strategyIds: readonly string[], gain: number): StrategyLibrary {
  if (strategyIds.length === 0) return library;
  const strategies = new Map(library.strategies);
  for (const id of strategyIds) {
    const strategy = strategies.get(id);
    if (strategy !== undefined) strategies.set(id, { ...strategy, gains: [...strategy.gains, gain] });
  }
  return { strategies, keys: library.keys };
}

/**
 * The top-K strategies for a response embedding, by brute-force cosine over every key: each strategy scores the best
 * similarity of its keys; ties go to the earlier-discovered strategy. O(keys × dimensions).
 */
export function retrieve(library: StrategyLibrary, responseEmbedding: Float32Array, topK: number): RetrievedStrategy[] {
  const query = normalize(responseEmbedding);
  const best = new Map<string, number>();
  for (const key of library.keys) {
    const similarity = dot(query, key.embedding);
    const current = best.get(key.strategyId);
    if (current === undefined || similarity > current) best.set(key.strategyId, similarity);
  }
  const found: RetrievedStrategy[] = [];
  for (const [id, similarity] of best) {
    const strategy = library.strategies.get(id);
    if (strategy !== undefined) found.push({ strategy, similarity, meanGain: mean(strategy.gains) });
  }
  found.sort((left, right) => right.similarity - left.similarity || left.strategy.seq - right.strategy.seq);
  return found.slice(0, topK);
}

/** Effective strategies (mean gain > 0) to use, ineffective ones (≤ 0) to avoid, both in retrieval order. */
export function splitByEffect(retrieved: readonly RetrievedStrategy[]): {
  effective: RetrievedStrategy[];
  ineffective: RetrievedStrategy[];
} {
  return {
    effective: retrieved.filter((entry) => entry.meanGain > 0),
    ineffective: retrieved.filter((entry) => entry.meanGain <= 0),
  };
}

export function mean(values: readonly number[]): number {
  return values.length === 0 ? 0 : values.reduce((total, value) => total + value, 0) / values.length;
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

function uniqueId(id: string, strategies: ReadonlyMap<string, unknown>): string {
  if (!strategies.has(id)) return id;
  for (let suffix = 2; ; suffix += 1) if (!strategies.has(`${id}-${suffix}`)) return `${id}-${suffix}`;
}
