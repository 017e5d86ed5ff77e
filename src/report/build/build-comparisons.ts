import {
  type BootstrapOptions,
  Histogram,
  holm,
  kruskalWallisHistograms,
  mannWhitneyUHistograms,
  percentileInterval,
  spearmanRho,
  wilcoxonSignedRank,
} from "../../analysis/index.js";
import type {
  CrossLingual,
  FineTuneComparison,
  GroupComparison,
  PairComparison,
  PairedComparison,
} from "../model/multi-turn-model.js";
import { type ComputedGroup, conversationScore, delta } from "./build-groups.js";
import type { TargetColumn, TurnTable } from "./turn-table.js";

/**
 * Kruskal–Wallis across the groups' conversation scores, then every pair by Mann–Whitney U (Holm-adjusted over
 * the pairs), with the difference of means and its bootstrap interval (the groups' own bootstrap means,
 * subtracted draw by draw: independent resampling of each side).
 */
export function compareGroups(
  by: "target" | "category",
  groups: ReadonlyArray<{ readonly name: string; readonly computed: ComputedGroup }>,
  confidence: number,
): GroupComparison {
  const present = groups.filter((group) => group.computed.conversationScores.n > 0);
  const kruskal =
    present.length >= 2 ? kruskalWallisHistograms(present.map((group) => group.computed.conversationScores)) : null;
  const raw = present.flatMap((first, index) =>
    present.slice(index + 1).map((second) => {
      const a = first.computed;
      const b = second.computed;
      const test = mannWhitneyUHistograms(a.conversationScores, b.conversationScores);
      const meanA = a.conversationScores.mean();
      const meanB = b.conversationScores.mean();
      let interval = null;
      if (a.bootstrapMeans !== null && b.bootstrapMeans !== null) {
        const differences = a.bootstrapMeans.map((value, draw) => value - (b.bootstrapMeans?.[draw] ?? Number.NaN));
        interval = percentileInterval(differences, confidence);
      }
      return {
        a: first.name,
        b: second.name,
        nA: a.conversationScores.n,
        nB: b.conversationScores.n,
        meanDelta: {
          n: a.conversationScores.n + b.conversationScores.n,
          mean: meanA === null || meanB === null ? null : meanA - meanB,
          ciLow: interval?.low ?? null,
          ciHigh: interval?.high ?? null,
        },
        u: test?.u ?? null,
        pValue: test?.pValue ?? null,
      };
    }),
  );
  const adjusted = holm(raw.flatMap((pair) => (pair.pValue === null ? [] : [pair.pValue])));
  let next = 0;
  const pairs = raw.map(
    (pair): PairComparison => ({ ...pair, pHolm: pair.pValue === null ? null : (adjusted[next++] ?? null) }),
  );
  return {
    by,
    kruskalWallis:
      kruskal === null
        ? null
        : { statistic: kruskal.statistic, degreesOfFreedom: kruskal.degreesOfFreedom, pValue: kruskal.pValue },
    pairs,
  };
}

/** first − second over matched pairs of conversation scores: Wilcoxon signed-rank and the mean difference's interval. */
function paired(
  first: readonly number[],
  second: readonly number[],
  bootstrap: BootstrapOptions,
  key: string,
): PairedComparison {
  const differences = first.map((value, index) => value - (second[index] ?? Number.NaN));
  const test = wilcoxonSignedRank(first, second);
  return {
    n: first.length,
    meanDelta: delta(Histogram.of(differences), bootstrap, key),
    wilcoxon: test === null ? null : { statistic: test.statistic, pValue: test.pValue, n: test.n },
  };
}

/**
 * Each target with a `baseModel` (config `baseModel`, or its older name `fineTuneOf`) against its base, paired by
 * item (both answered the same conversation).
 */
export function compareFineTunes(table: TurnTable, bootstrap: BootstrapOptions): FineTuneComparison[] {
  return table.targets.flatMap((fineTuned) => {
    const base = table.targets.find((target) => target.targetId === fineTuned.baseModel);
    if (fineTuned.baseModel === null || base === undefined) return [];
    const fine: number[] = [];
    const original: number[] = [];
    table.itemIds.forEach((_, item) => {
      const a = conversationScore(fineTuned, item);
      const b = conversationScore(base, item);
      if (!Number.isNaN(a) && !Number.isNaN(b)) {
        fine.push(a);
        original.push(b);
      }
    });
    return [
      {
        fineTunedId: fineTuned.targetId,
        baseId: base.targetId,
        ...paired(fine, original, bootstrap, `finetune|${fineTuned.targetId}|${base.targetId}`),
      },
    ];
  });
}

/** Japanese minus English conversation scores over items paired by `pairId`, per target; Spearman of the rankings. */
export function compareLanguages(table: TurnTable, bootstrap: BootstrapOptions): CrossLingual {
  const matched = languagePairsOf(table);
  return crossLingualOf(table.targets.map((target) => compareLanguagesOf(target, matched, bootstrap)));
}

export type LanguagePairs = ReadonlyArray<{ readonly ja: number; readonly en: number }>;
export type TargetLanguageComparison = CrossLingual["targets"][number];

/**
 * Items matched by `pairId`: the Japanese and the English item of each pair that has both; with repeated sampling,
 * rows matched by pairId and epoch (decision 0030).
 */
export function languagePairsOf(table: Pick<TurnTable, "pairIds" | "dimensions" | "epochs">): LanguagePairs {
  const pairs = new Map<string, { ja?: number; en?: number }>();
  table.pairIds.forEach((pairIdOfItem, item) => {
    if (pairIdOfItem === null) return;
    const pairId = table.epochs > 1 ? `${pairIdOfItem}\u0000${item % table.epochs}` : pairIdOfItem;
    const language = table.dimensions.language.labels[table.dimensions.language.codes[item] ?? -1];
    if (language !== "ja" && language !== "en") return;
    const entry = pairs.get(pairId) ?? {};
    entry[language] = item;
    pairs.set(pairId, entry);
  });
  return [...pairs.values()].filter(
    (entry): entry is { ja: number; en: number } => entry.ja !== undefined && entry.en !== undefined,
  );
}

/** One target's Japanese − English comparison over the matched pairs it scored in both languages. */
export function compareLanguagesOf(
  target: TargetColumn,
  matched: LanguagePairs,
  bootstrap: BootstrapOptions,
): TargetLanguageComparison {
  const ja: number[] = [];
  const en: number[] = [];
  for (const entry of matched) {
    const a = conversationScore(target, entry.ja);
    const b = conversationScore(target, entry.en);
    if (!Number.isNaN(a) && !Number.isNaN(b)) {
      ja.push(a);
      en.push(b);
    }
  }
  const meanOf = (values: readonly number[]): number | null =>
    values.length === 0 ? null : values.reduce((sum, value) => sum + value, 0) / values.length;
  return {
    targetId: target.targetId,
    meanJa: meanOf(ja),
    meanEn: meanOf(en),
    ...paired(ja, en, bootstrap, `language|${target.targetId}`),
  };
}

/** The per-target comparisons and Spearman's rho of the targets' rankings in the two languages. */
export function crossLingualOf(targets: readonly TargetLanguageComparison[]): CrossLingual {
  const ranked = targets.filter((target) => target.meanJa !== null && target.meanEn !== null);
  const rho =
    ranked.length >= 2
      ? spearmanRho(
          ranked.map((target) => target.meanJa ?? 0),
          ranked.map((target) => target.meanEn ?? 0),
        )
      : null;
  return { targets: [...targets], rankingSpearman: { rho, n: ranked.length } };
}
