/** Every label of the viewer, in English and Japanese (data, one row per key; same shape as report/html/messages.ts). */
import { bilingual } from "../core/index.js";

export type Lang = "en" | "ja";

export const LANGS: readonly Lang[] = ["en", "ja"];

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
  runId: ["Run id", "実行 ID"],
  created: ["Created", "作成日時"],
  status: ["Status", "状態"],
  targets: ["Targets", "対象モデル"],
  judges: ["Judges", "評価者"],
  items: ["Items", "項目数"],
  turns: ["Turns", "ターン数"],
  dataset: ["Dataset", "データセット"],
  overview: ["Overview", "概要"],
  conversations: ["Conversations", "会話"],
  computing: ["Computing the report… (this page refreshes)", "レポートを計算中…（このページは自動で更新されます）"],
  computingSince: ["started {seconds} s ago", "{seconds} 秒前に開始"],
  reportFailed: ["The report could not be computed: {message}", "レポートを計算できませんでした：{message}"],
  byModel: ["Conversations by model", "モデル別の会話"],
  filters: ["Filters", "絞り込み"],
  model: ["Model", "モデル"],
  strategy: ["Strategy", "戦略"],
  guideline: ["Guideline", "ガイドライン"],
  language: ["Language", "言語"],
  any: ["any", "すべて"],
  minScore: ["Turn score ≥", "ターンスコア ≥"],
  maxScore: ["Turn score ≤", "ターンスコア ≤"],
  disagreement: ["Judge disagreement ≥", "評価者間の差 ≥"],
  state: ["State", "状態"],
  stateError: ["error", "エラー"],
  stateUnscored: ["unscored", "未採点"],
  apply: ["Apply", "適用"],
  reset: ["Reset", "リセット"],
  filterNote: [
    "Turn filters (score, disagreement, state) keep a conversation when one of its turns meets all of them. A turn's score is the mean of its judges' valid scores.",
    "ターンの条件（スコア・評価者間の差・状態）は、すべてを満たすターンが一つでもある会話を表示する。ターンのスコアは評価者の有効なスコアの平均。",
  ],
  item: ["Item", "項目"],
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
  user: ["User", "ユーザー"],
  reply: ["Reply", "応答"],
  turnError: ["The call failed: {code} {status} {message}", "呼び出しに失敗：{code} {status} {message}"],
  notReached: ["not reached", "未到達"],
  unscoredTurn: ["unscored: no judge returned a valid score", "未採点：有効なスコアを返した評価者がいない"],
  turnScore: ["turn score {score}", "ターンスコア {score}"],
  judge: ["Judge", "評価者"],
  score: ["Score", "スコア"],
  rationale: ["Rationale", "根拠"],
  judgmentUnscored: ["unscored ({reason})", "未採点（{reason}）"],
  judgmentError: ["error ({message})", "エラー（{message}）"],
  twin: ["Twin ({language}, same pair)", "対訳（{language}、同じペア）"],
  noTwin: ["No twin in this run.", "この実行に対訳はありません。"],
  seedRequest: ["Seed request", "元の依頼"],
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
  section: ["Section", "章"],
  runConversations: ["This run's conversations", "この実行の会話"],
  notFound: ["Not found: {what}", "見つかりません：{what}"],
  back: ["Back", "戻る"],
  forbidden: ["Refused: {why}", "拒否しました：{why}"],
} as const satisfies Record<string, readonly [string, string]>;

export type MessageKey = keyof typeof TABLE;

/** The message table of one language, with `{name}` placeholders filled from `values`. */
export interface Messages {
  readonly lang: Lang;
  t(key: MessageKey, values?: Readonly<Record<string, string | number>>): string;
}

export function messagesFor(lang: Lang): Messages {
  return bilingual(TABLE, lang);
}

export const MESSAGE_KEYS = Object.keys(TABLE) as MessageKey[];
