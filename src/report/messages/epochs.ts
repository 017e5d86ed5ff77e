/**
 * The labels of the report's repeated-sampling section (a target's `epochs`, decision 0030), in English and Japanese,
 * shared by the Markdown report, the HTML report and the terminal table (one `[English, Japanese]` row per message,
 * read through `bilingual`).
 */
import { bilingual } from "../../core/index.js";
import type { Lang, Row } from "./labels.js";

const TABLE = {
  repeatedSampling: ["Repeated sampling", "反復サンプリング"],
  repeatedNote: [
    "Targets with epochs answered every item several times, each epoch an independent conversation; every other statistic of this report counts a conversation per item and epoch, and pairs targets by item and epoch. Between-epoch variance: the pooled within-item variance of the conversation score across epochs (population form, over the items with at least two scored epochs), and its share of the total variance of those scores (0: every epoch of an item scores alike; 1: the item explains none of the spread). Fails in any of k: the share of items for which at least one of k epochs fails (a conversation fails when a scored turn scores at or below {threshold}), estimated without bias from each item's n decided epochs with c failing as 1 − C(n−c, k) / C(n, k) (pass@k of Chen et al. 2021, for failures), averaged over the items with at least k decided epochs.",
    "epochs を指定した対象モデルは各項目に複数回回答し、各エポックは独立した会話である。本レポートの他の統計はすべて項目 × エポックを 1 会話として数え、対象モデル間の対応も項目とエポックで取る。エポック間分散：会話スコアのエポック間での項目内分散をプールしたもの（母分散の形。採点済みエポックが 2 つ以上ある項目が対象）と、それらのスコアの全分散に占める割合（0：項目内の全エポックが同じスコア、1：項目でばらつきを全く説明できない）。k 回のうちいずれかで不合格：k 回のエポックのうち少なくとも 1 回が不合格となる項目の割合（採点済みターンのスコアが {threshold} 以下なら会話は不合格）。判定済みエポック n 回のうち c 回不合格の項目ごとに 1 − C(n−c, k) / C(n, k) で不偏推定し（Chen ら 2021 の pass@k を不合格について用いたもの）、判定済みエポックが k 回以上ある項目で平均した。",
  ],
  target: ["Target", "対象モデル"],
  epochs: ["Epochs", "エポック数"],
  items: ["Items", "項目数"],
  itemsWithVariance: ["Items with ≥ 2 scored epochs", "採点済みエポックが 2 以上の項目"],
  withinItemVariance: ["Between-epoch variance", "エポック間分散"],
  totalVariance: ["Total variance", "全分散"],
  withinShare: ["Share of total", "全分散に占める割合"],
  failsHeading: ["Fails in any of k epochs", "k 回のうちいずれかで不合格"],
  k: ["k", "k"],
  share: ["Share of items", "項目の割合"],
  itemsForK: ["Items (≥ k decided epochs)", "項目数（判定済みエポック ≥ k）"],
} as const satisfies Record<string, Row>;

export type EpochsMessageKey = keyof typeof TABLE;

/** The repeated-sampling labels of one language; `t(key, values)` fills `{name}` placeholders. */
export function epochsMessagesFor(lang: Lang): ReturnType<typeof bilingual<EpochsMessageKey>> {
  return bilingual(TABLE, lang);
}

/** The repeated-sampling section's title row (the HTML report's section list takes it). */
export const REPEATED_SAMPLING_TITLE: Row = TABLE.repeatedSampling;
