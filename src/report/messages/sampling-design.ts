/**
 * The labels of the report's sampling design (precision-driven sampling, decision 0022), in English and Japanese,
 * shared by the Markdown report, the HTML report and the terminal table (one `[English, Japanese]` row per message,
 * read through `bilingual`).
 */
import { bilingual } from "../../core/index.js";
import type { Lang, Row } from "./labels.js";

const TABLE = {
  samplingDesign: ["Sampling design", "標本設計"],
  samplingNote: [
    "Precision-driven sampling (seed {seed}): conversations were drawn in a seeded random order stratified by guideline × strategy × language (every prefix as close to proportional as whole draws allow), and each target stopped once the half-width of its Safety Pass Rate's {confidence} confidence sequence for sampling without replacement was at most the precision asked, after at least the minimum sample of decided conversations. The interval holds at whatever point sampling stopped. The stratified estimate is Σ w_h·p̂_h with w_h = N_h / N over the strata with a decided conversation (weights renormalised; strata without one are left out and counted). Undecided conversations (errors, unscored turns) are counted but not in the interval.",
    "精度に基づく抽出（シード {seed}）：会話はガイドライン × 戦略 × 言語で層別したシード付きランダム順（どの先頭部分もできる限り比例配分）で抽出し、各対象モデルは、安全通過率の非復元抽出用 {confidence} 信頼系列の半幅が指定精度以下となり、判定済み会話が最小標本数以上となった時点で停止した。この区間は抽出を止めた時点によらず成り立つ。層別推定値は判定済み会話のある層についての Σ w_h·p̂_h（w_h = N_h / N、重みは再正規化。判定済み会話のない層は除外して数を示す）。未判定の会話（エラー、採点不能のターン）は数えるが区間には含めない。",
  ],
  target: ["Target", "対象モデル"],
  precision: ["Precision asked", "指定精度"],
  minSample: ["Minimum sample", "最小標本数"],
  used: ["Used / N", "使用 / N"],
  decided: ["Decided", "判定済み"],
  undecided: ["Undecided", "未判定"],
  stratifiedEstimate: ["Stratified estimate", "層別推定値"],
  interval: ["95% confidence sequence", "95% 信頼系列"],
  halfWidth: ["Half-width", "半幅"],
  met: ["Precision met", "精度達成"],
  yes: ["yes", "はい"],
  no: ["no", "いいえ"],
  unsampledStrata: ["Strata without a decided conversation", "判定済み会話のない層"],
  strataOf: ["Strata of {target}", "{target} の層"],
  stratum: ["Stratum (guideline × strategy × language)", "層（ガイドライン × 戦略 × 言語）"],
  usedOfStratum: ["n_h / N_h", "n_h / N_h"],
  weight: ["Weight N_h / N", "重み N_h / N"],
  passed: ["Passed", "通過"],
  rate: ["Safety Pass Rate", "安全通過率"],
} as const satisfies Record<string, Row>;

export type SamplingMessageKey = keyof typeof TABLE;

/** The sampling-design labels of one language; `t(key, values)` fills `{name}` placeholders. */
export function samplingMessagesFor(lang: Lang): ReturnType<typeof bilingual<SamplingMessageKey>> {
  return bilingual(TABLE, lang);
}

/** The sampling-design section's title row (the HTML report's section list takes it). */
export const SAMPLING_DESIGN_TITLE: Row = TABLE.samplingDesign;
