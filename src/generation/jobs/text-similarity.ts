/**
 * Text similarity for near-duplicate removal and the back-translation check: NFKC-normalised, lower-cased text
 * without whitespace and punctuation, compared by the Jaccard similarity of its character n-grams. Character
 * n-grams work for Japanese (no word boundaries) and English alike.
 */

/** NFKC, lower case, whitespace and punctuation (Unicode P and S classes) removed. */
export function normalizeText(text: string): string {
  return text
    .normalize("NFKC")
    .toLowerCase()
    .replace(/[\s\p{P}\p{S}]+/gu, "");
}

/** The distinct character n-grams of normalised text, as sorted 32-bit hashes (the whole text if shorter than n). */
export function ngramSignature(text: string, n = 3): Int32Array {
  const characters = [...normalizeText(text)];
  const grams = new Set<number>();
  if (characters.length > 0 && characters.length < n) grams.add(hash32(characters.join("")));
  for (let index = 0; index + n <= characters.length; index += 1)
    grams.add(hash32(characters.slice(index, index + n).join("")));
  return Int32Array.from(grams).sort();
}

/** Jaccard similarity of two signatures (1 for two empty texts). */
export function jaccard(left: Int32Array, right: Int32Array): number {
  if (left.length === 0 && right.length === 0) return 1;
  let shared = 0;
  let i = 0;
  let j = 0;
  while (i < left.length && j < right.length) {
    const a = left[i] ?? 0;
    const b = right[j] ?? 0;
    if (a === b) {
      shared += 1;
      i += 1;
      j += 1;
    } else if (a < b) i += 1;
    else j += 1;
  }
  return shared / (left.length + right.length - shared);
}

/** Jaccard similarity of the character n-grams of two texts. */
export function textSimilarity(left: string, right: string, n = 3): number {
  return jaccard(ngramSignature(left, n), ngramSignature(right, n));
}

/** A near duplicate found: the text kept first and its similarity. */
export interface NearDuplicateMatch {
  readonly keptId: string;
  readonly similarity: number;
}

/**
 * Keeps texts in arrival order and finds, for each new one, an earlier text whose n-gram Jaccard similarity is at
 * least `threshold` (exact duplicates after normalisation have similarity 1). A size prefilter skips pairs that
 * cannot reach the threshold (J ≤ min/max of the set sizes). Texts are compared within a `group` (e.g. language).
 */
export class NearDuplicateIndex {
  private readonly groups = new Map<string, { id: string; signature: Int32Array; normalized: string }[]>();

  constructor(
    private readonly threshold: number,
    private readonly n = 3,
  ) {}

  /** Adds the text unless it nearly duplicates an earlier one; returns the match, or undefined when added. */
  add(id: string, text: string, group = ""): NearDuplicateMatch | undefined {
    const entries = this.groups.get(group) ?? [];
    this.groups.set(group, entries);
    const normalized = normalizeText(text);
    const signature = ngramSignature(text, this.n);
    for (const entry of entries) {
      if (entry.normalized === normalized) return { keptId: entry.id, similarity: 1 };
      const small = Math.min(entry.signature.length, signature.length);
      const large = Math.max(entry.signature.length, signature.length);
      if (large > 0 && small / large < this.threshold) continue;
      const similarity = jaccard(entry.signature, signature);
      if (similarity >= this.threshold) return { keptId: entry.id, similarity };
    }
    entries.push({ id, signature, normalized });
    return undefined;
  }
}

/** FNV-1a 32-bit hash of a string. */
function hash32(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash | 0;
}
