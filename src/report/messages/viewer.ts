/** Every label of the viewer (src/view), in English and Japanese (data, one row per key). */
import { bilingual } from "../../core/index.js";
import { LABELS, type Lang, type Row } from "./labels.js";

const TABLE = {
  appTitle: ["medsafety viewer", "medsafety ビューア"],
  contentWarning: [
    "Content warning: this viewer shows adversarial requests to violate medical ethics and unsafe model output. For safety research only.",
    "閲覧注意：このビューアは医療倫理に反する行為を求める敵対的な依頼と、安全でないモデル出力を表示します。安全性研究の目的にのみ使用してください。",
  ],
  switchLanguage: ["日本語", "English"],
  runs: ["Runs", "実行一覧"],
  noRuns: [
    "The store has no runs yet. Start one with `medsafety run -c medsafety.config.yaml`.",
    "ストアにはまだ実行がありません。`medsafety run -c medsafety.config.yaml` で開始してください。",
  ],
  runId: LABELS.runId,
  created: LABELS.created,
  status: LABELS.status,
  targets: ["Targets", "対象モデル"],
  judges: LABELS.judges,
  items: ["Items", "項目数"],
  turns: LABELS.turnCount,
  dataset: LABELS.dataset,
  overview: ["Overview", "概要"],
  conversations: ["Conversations", "会話"],
  computing: ["Computing the report… (this page refreshes)", "レポートを計算中…（このページは自動で更新されます）"],
  computingSince: ["started {seconds} s ago", "{seconds} 秒前に開始"],
  reportFailed: ["The report could not be computed: {message}", "レポートを計算できませんでした：{message}"],
  byModel: ["Conversations by model", "モデル別の会話"],
  callCost: [
    "Cost {cost} · tokens in {input} (cached {cached}, cache write {cacheWrite}) / out {output}",
    "費用 {cost}・トークン 入力 {input}（キャッシュ {cached}、キャッシュ書き込み {cacheWrite}）/ 出力 {output}",
  ],
  callCostCell: [
    "{cost} · in {input} (cached {cached}, cache write {cacheWrite}) · out {output}",
    "{cost}・入力 {input}（キャッシュ {cached}、書き込み {cacheWrite}）・出力 {output}",
  ],
  costColumn: ["Cost", "費用"],
  unpricedCall: ["unpriced", "価格なし"],
  batchedCall: ["batched", "バッチ"],
  filters: ["Filters", "絞り込み"],
  model: LABELS.model,
  strategy: LABELS.strategy,
  guideline: LABELS.guideline,
  language: LABELS.language,
  any: ["any", "すべて"],
  minScore: ["Turn score ≥", "ターンスコア ≥"],
  maxScore: ["Turn score ≤", "ターンスコア ≤"],
  disagreement: ["Judge disagreement ≥", "評価者間の差 ≥"],
  state: ["State", "状態"],
  stateError: ["error", "エラー"],
  stateUnscored: LABELS.unscored,
  apply: ["Apply", "適用"],
  reset: ["Reset", "リセット"],
  filterNote: [
    "Turn filters (score, disagreement, state) keep a conversation when one of its turns meets all of them. A turn's score is the mean of its judges' valid scores.",
    "ターンの条件（スコア・評価者間の差・状態）は、すべてを満たすターンが一つでもある会話を表示する。ターンのスコアは評価者の有効なスコアの平均。",
  ],
  item: LABELS.item,
  turnScores: ["Turn scores", "ターンスコア"],
  maxSpread: ["max disagreement", "最大の差"],
  matches: ["{count} conversations match.", "該当する会話：{count} 件。"],
  inScope: [
    "{shown} shown; {scope} conversations before the turn filters.",
    "{shown} 件を表示。ターン条件を適用する前の会話：{scope} 件。",
  ],
  partial: [
    "The search paused after {seconds} s (it resumes from here with “next”), having looked through the conversations up to {position}.",
    "{seconds} 秒で検索を一時停止しました（「次へ」で続きから再開）。{position} までの会話を確認済み。",
  ],
  noMatches: ["No conversation matches these filters.", "条件に該当する会話はありません。"],
  next: ["Next →", "次へ →"],
  previous: ["← Previous", "← 前へ"],
  conversation: ["Conversation", "会話"],
  turn: ["Turn {n}", "ターン {n}"],
  user: LABELS.user,
  reply: LABELS.reply,
  turnError: ["The call failed: {code} {status} {message}", "呼び出しに失敗：{code} {status} {message}"],
  notReached: LABELS.notReached,
  unscoredTurn: ["unscored: no judge returned a valid score", "未採点：有効なスコアを返した評価者がいない"],
  turnScore: ["turn score {score}", "ターンスコア {score}"],
  judge: LABELS.judge,
  score: ["Score", "スコア"],
  rationale: ["Rationale", "根拠"],
  judgmentUnscored: ["unscored ({reason})", "未採点（{reason}）"],
  judgmentError: ["error ({message})", "エラー（{message}）"],
  twin: ["Twin ({language}, same pair)", "対訳（{language}、同じペア）"],
  noTwin: ["No twin in this run.", "この実行に対訳はありません。"],
  seedRequest: ["Seed request", "元の依頼"],
  epochHeading: [
    "Epoch {n} (repeated sampling: the same item answered again)",
    "エポック {n}（反復サンプリング：同じ項目への再回答）",
  ],
  reviews: ["Human reviews", "人による評価"],
  noReviews: ["No review yet.", "評価はまだありません。"],
  reviewer: ["Reviewer", "評価者名"],
  reason: ["Reason", "理由"],
  submitReview: ["Add review", "評価を追加"],
  reviewNote: [
    "A review is stored as a new row; judges' verdicts are never changed.",
    "評価は新しい行として保存され、評価者モデルの判定は変更されません。",
  ],
  reviewSaved: ["Review saved.", "評価を保存しました。"],
  reviewRejected: ["The review was not saved: {message}", "評価は保存されませんでした：{message}"],
  definition: ["Definition", "定義"],
  turnPlan: ["Turns", "ターンの構成"],
  notInLibrary: [
    "This strategy is not in the built-in library; only the run's conversations are listed.",
    "この戦略は組み込みライブラリにありません。この実行の会話のみを表示します。",
  ],
  notInCatalog: [
    "This guideline is not in the built-in catalogs; only the run's conversations are listed.",
    "このガイドラインは組み込みカタログにありません。この実行の会話のみを表示します。",
  ],
  summary: ["Summary", "概要"],
  violations: ["Requests that would violate it", "違反となる依頼の例"],
  section: LABELS.section,
  runConversations: ["This run's conversations", "この実行の会話"],
  notFound: ["Not found: {what}", "見つかりません：{what}"],
  back: ["Back", "戻る"],
  forbidden: ["Refused: {why}", "拒否しました：{why}"],
} as const satisfies Record<string, Row>;

export type ViewerMessageKey = keyof typeof TABLE;

/** The viewer's table of one language, with `{name}` placeholders filled from `values`. */
export interface ViewerMessages {
  readonly lang: Lang;
  t(key: ViewerMessageKey, values?: Readonly<Record<string, string | number>>): string;
}

export function viewerMessagesFor(lang: Lang): ViewerMessages {
  return bilingual(TABLE, lang);
}
