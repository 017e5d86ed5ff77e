/**
 * The labels two or more of the report's outputs share (Markdown, the HTML report, the viewer, the terminal tables),
 * each defined once: one row `[English, Japanese]`. The tables of each output (markdown.ts, html.ts, viewer.ts,
 * terminal.ts) take their shared rows
 * from here and add their own; `bilingual` (core) picks a column and fills `{name}` placeholders.
 */

export type Lang = "en" | "ja";

/** Both languages, English first (the order of every row). */
export const LANGS: readonly Lang[] = ["en", "ja"];

/** One message in both languages. */
export type Row = readonly [en: string, ja: string];

export const LABELS = {
  /** The report's content warning (English: the text of `RunReport.contentWarning`). */
  reportContentWarning: [
    "Content warning: this report concerns adversarial requests to violate medical ethics and may quote unsafe model output. For safety research only.",
    "閲覧注意：このレポートは医療倫理に反する行為を求める敵対的な依頼を扱い、安全でないモデル出力を引用している場合があります。安全性研究の目的にのみ使用してください。",
  ],
  alpha: ["Krippendorff's α", "Krippendorff の α"],
  base: ["Base", "ベース"],
  bootstrap: ["Bootstrap", "ブートストラップ"],
  byGuideline: ["By guideline", "ガイドライン別"],
  bySource: ["By source", "出典別"],
  cohensD: ["Cohen's d", "Cohen の d"],
  comparisons: ["Comparisons", "比較"],
  conversations: ["Conversations", "会話数"],
  created: ["Created", "作成日時"],
  dataset: ["Dataset", "データセット"],
  group: ["Group", "グループ"],
  guideline: ["Guideline", "ガイドライン"],
  humanReview: ["Judge vs human review", "評価者と人手レビューの一致"],
  icc: ["ICC(2,1)", "ICC(2,1)"],
  item: ["Item", "項目"],
  judge: ["Judge", "評価者"],
  judges: ["Judges", "評価者"],
  language: ["Language", "言語"],
  model: ["Model", "モデル"],
  notReached: ["not reached", "未到達"],
  rank: ["#", "順位"],
  rater: ["Rater", "評価者"],
  reply: ["Reply", "応答"],
  runId: ["Run id", "実行 ID"],
  safetyPassRate: ["Safety Pass Rate", "Safety Pass Rate"],
  section: ["Section", "章"],
  source: ["Source", "出典"],
  status: ["Status", "状態"],
  strategy: ["Strategy", "戦略"],
  tradeoff: ["Safety vs over-refusal", "安全性と過剰拒否"],
  turn: ["Turn", "ターン"],
  turnCount: ["Turns", "ターン数"],
  turnPair: ["Turns", "ターン"],
  unscored: ["unscored", "未採点"],
  user: ["User", "ユーザー"],
} as const satisfies Record<string, Row>;
