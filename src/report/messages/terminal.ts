/**
 * The terminal report's words (`medsafety report`, `--format table`), in English and Japanese: one row `[English,
 * Japanese]` per key, `{name}` placeholders filled by `bilingual` (core). Shared words come from labels.ts.
 */
import { bilingual } from "../../core/index.js";
import { LABELS, type Lang, type Row } from "./labels.js";

const TABLE = {
  contentWarning: LABELS.reportContentWarning,
  runLine: [
    "Run {id}  status: {status}  dataset: {dataset} ({hash})",
    "実行 {id}  状態: {status}  データセット: {dataset} ({hash})",
  ],
  rubricsLine: ["Rubrics: {rubrics}  medsafety {version}", "評価基準: {rubrics}  medsafety {version}"],
  callsLine: [
    "Calls: {targetCalls} target, {judgeCalls} judge ({cachedCalls} cached); tokens in {inputTokens}, out {outputTokens}",
    "呼び出し: 対象モデル {targetCalls} 回、評価者 {judgeCalls} 回（キャッシュ {cachedCalls} 回）；トークン 入力 {inputTokens}、出力 {outputTokens}",
  ],
  multiTurnTitle: [
    "Multi-turn safety (0-10, higher is safer; turn score = mean of judges):",
    "多ターン安全性（0〜10、高いほど安全；ターンのスコア = 評価者の平均）:",
  ],
  reviewUsed: [
    "Human review: {reviewed} turn(s) reviewed; reviewed scores used (--use-reviews): {scored} turn score(s) are the latest review's, not the judges' mean.",
    "人手レビュー: {reviewed} ターンをレビュー済み；レビューのスコアを使用（--use-reviews）: {scored} ターンのスコアは評価者の平均ではなく最新のレビューの値です。",
  ],
  reviewNotUsed: [
    "Human review: {reviewed} turn(s) reviewed; scores are the judges' mean (add --use-reviews to score reviewed turns by their review).",
    "人手レビュー: {reviewed} ターンをレビュー済み；スコアは評価者の平均です（レビュー済みのターンをレビューで採点するには --use-reviews）。",
  ],
  humanTitle: [
    "Judge vs human ({rubric}, over {reviewed} reviewed turn(s)):",
    "評価者と人手レビュー（{rubric}、レビュー済み {reviewed} ターン）:",
  ],
  rater: ["rater", LABELS.rater[1]],
  meanOfJudges: ["mean of judges", "評価者の平均"],
  meanRaterHuman: ["mean |rater − human|", "平均 |評価者 − 人手|"],
  weightedKappa: ["weighted κ", "重み付き κ"],
  target: ["target", "対象モデル"],
  turnMeanMedian: ["turn {turn} mean / median", "ターン {turn} 平均 / 中央値"],
  passRateAbove: ["pass rate (> {threshold})", "合格率（> {threshold}）"],
  unscored: LABELS.unscored,
  errors: ["errors", "エラー"],
  turnDecline: ["  {target} turn decline: {pairs}{friedman}", "  {target} ターンごとの低下: {pairs}{friedman}"],
  tradeoffTitle: [
    "Safety vs over-refusal (a model that refuses everything looks safe but useless):",
    "安全性と過剰拒否（すべてを拒否するモデルは安全に見えても役に立たない）:",
  ],
  language: ["language", LABELS.language[1]],
  safety: ["safety (0-10)", "安全性（0〜10）"],
  harmfulness: ["harmfulness (1-5)", "有害性（1〜5）"],
  overRefusal: ["over-refusal (helpfulness ≤ 2)", "過剰拒否（有用性 ≤ 2）"],
  labelledRefuse: ["labelled refuse", "拒否と判定"],
  helpfulness: ["helpfulness (0-10)", "有用性（0〜10）"],
  judge: ["judge", LABELS.judge[1]],
  rubric: ["rubric", "評価基準"],
  scored: ["scored", "採点済み"],
  mean: ["mean", "平均"],
  higherIsBetter: ["higher is better", "高いほど良い"],
  higherIsWorse: ["higher is worse", "高いほど悪い"],
  shareAtLeast: ["share ≥ {value}", "{value} 以上の割合"],
  shareAtMost: ["share ≤ {value}", "{value} 以下の割合"],
  flagged: ["flagged", "該当"],
  meanSem: ["mean ± SEM", "平均 ± SEM"],
  median: ["median", "中央値"],
  bySourceMeanSem: ["by source (mean ± SEM)", "出典別（平均 ± SEM）"],
  rubricTitle: [
    "Rubric {rubric}{direction} (turn score = mean of judges):",
    "評価基準 {rubric}{direction}（ターンのスコア = 評価者の平均）:",
  ],
  medicalVsGeneral: [
    "  medical {medical} vs general {general}: mean difference {difference}, Mann-Whitney U = {u}, {p}, {pBonferroni}",
    "  医療 {medical} と一般 {general}: 平均の差 {difference}、Mann-Whitney U = {u}、{p}、{pBonferroni}",
  ],
  turnsCompleteIncomplete: ["turns (complete / incomplete)", "ターン（全評価者 / 一部）"],
  meanOfJudgesSpearmanBrown: ["mean of judges (Spearman-Brown)", "評価者の平均（Spearman-Brown）"],
  krippendorff: ["Krippendorff α", LABELS.alpha[1]],
  weightedKappaPerPair: ["weighted κ per pair", "組ごとの重み付き κ"],
  agreementTitle: ["Judge agreement:", "評価者間の一致:"],
  judgePair: ["judge pair", "評価者の組"],
  meanAbsDiff: ["mean |a−b|", "平均 |a−b|"],
  disagreements: ["disagreements > 3", "差 > 3 の件数"],
  passRateCi: ["pass rate [95% CI]", "合格率 [95% CI]"],
  conversationScoreCi: ["conversation score [95% CI]", "会話のスコア [95% CI]"],
  medianIqr: ["median (IQR)", "中央値（IQR）"],
  leaderboardTitle: [
    "Leaderboard (percentile bootstrap, {resamples} resamples, seed {seed}, {confidence}% intervals; more groupings in --format md|html|json):",
    "ランキング（パーセンタイル・ブートストラップ、再標本 {resamples} 回、シード {seed}、{confidence}% 区間；他のグループ分けは --format md|html|json）:",
  ],
} as const satisfies Record<string, Row>;

export type TerminalMessageKey = keyof typeof TABLE;
export type TerminalMessages = ReturnType<typeof bilingual<TerminalMessageKey>>;

/** The terminal report's words in one language. */
export function terminalMessagesFor(lang: Lang): TerminalMessages {
  return bilingual(TABLE, lang);
}

/** Every row, for tests that check both columns. */
export const TERMINAL_MESSAGES: Readonly<Record<TerminalMessageKey, Row>> = TABLE;
