/**
 * Headings, labels and notes of the Markdown report, in English and Japanese (numbers and ids are not translated):
 * one `[English, Japanese]` row per message (shared labels from labels.ts), read through `bilingual` like the HTML
 * report's and the viewer's tables. `MarkdownMessages` is the shape the formatter reads, with the sentences that
 * take values as functions.
 */
import { bilingual } from "../../core/index.js";
import { LABELS, type Lang, type Row } from "./labels.js";

export interface MarkdownMessages {
  readonly title: string;
  readonly contentWarningLabel: string;
  /** Null: the report's own (English) content warning is shown. */
  readonly contentWarning: string | null;
  readonly noData: string;
  readonly dash: string;

  readonly runHeading: string;
  readonly runId: string;
  readonly status: string;
  readonly createdAt: string;
  readonly finishedAt: string;
  readonly dataset: string;
  readonly configHash: string;
  readonly rubrics: string;
  readonly packageVersion: string;
  readonly usage: string;
  readonly usageText: (usage: {
    targetCalls: number;
    judgeCalls: number;
    cachedCalls: number;
    inputTokens: number;
    outputTokens: number;
  }) => string;
  readonly passThreshold: string;
  readonly bootstrap: string;
  readonly bootstrapText: (resamples: number, seed: number, confidence: string) => string;

  readonly leaderboardHeading: string;
  readonly leaderboardNote: (threshold: number) => string;
  readonly rank: string;
  readonly target: string;
  readonly conversations: string;
  readonly safetyPassRate: string;
  readonly passed: string;
  readonly overallMean: string;
  readonly scoredTurns: string;
  readonly unscored: string;
  readonly errors: string;
  readonly notReached: string;
  readonly ciNote: string;
  readonly noCiNote: string;
  readonly noMultiTurn: string;

  readonly perTurnHeading: string;
  readonly targetHeading: (targetId: string) => string;
  readonly turn: string;
  readonly n: string;
  readonly mean: string;
  readonly median: string;
  readonly iqr: string;
  readonly ci: string;
  readonly decline: string;
  readonly declineNote: string;

  readonly testsHeading: string;
  readonly testsNote: string;
  readonly turnPair: string;
  readonly mannWhitneyU: string;
  readonly pValue: string;
  readonly pBonferroni: string;
  readonly pHolm: string;
  readonly cohensD: string;
  readonly wilcoxon: string;
  /** `p` is a whole statement from pStatement: "p = 0.040" or "p < 1e-300". */
  readonly friedman: (statistic: string, df: number, p: string, n: number) => string;
  readonly noFriedman: string;

  readonly groupsHeading: string;
  readonly groupsNote: string;
  readonly dimensionNames: Readonly<Record<string, string>>;
  readonly group: string;
  readonly pooled: string;
  readonly groupsAbsent: string;

  readonly survivalHeading: string;
  readonly survivalNote: (threshold: number) => string;

  readonly comparisonsHeading: string;
  readonly comparisonBy: (by: "target" | "category") => string;
  /** `p` as in `friedman`. */
  readonly kruskalWallis: (statistic: string, df: number, p: string) => string;
  readonly noKruskalWallis: string;
  readonly meanDelta: string;

  readonly fineTunesHeading: string;
  readonly fineTuned: string;
  readonly base: string;
  readonly pairedN: string;

  readonly crossLingualHeading: string;
  readonly crossLingualNote: string;
  readonly meanJa: string;
  readonly meanEn: string;
  readonly rankingSpearman: (rho: string, n: number) => string;

  readonly judgesHeading: string;
  readonly judge: string;
  readonly rubric: string;
  readonly scored: string;
  readonly judgePair: string;
  readonly meanAbsoluteDifference: string;
  readonly disagreementsOver: (threshold: number) => string;

  readonly agreementHeading: string;
  readonly completeIncomplete: string;
  readonly icc: string;
  readonly spearmanBrown: string;
  readonly alpha: string;
  readonly kappa: string;
  readonly byGroupHeading: string;
  readonly dimension: string;
  readonly largestDisagreementsHeading: string;
  readonly humanReviewHeading: string;
  /** The line saying how many turns were reviewed and whether their reviews scored them. */
  readonly humanReviewNote: (reviewed: number, scoredByReview: number, used: boolean) => string;
  readonly rater: string;
  readonly judgesMean: string;
  readonly meanAbsoluteHumanDifference: string;
  readonly weightedKappa: string;
  readonly item: string;
  readonly language: string;
  readonly strategy: string;
  readonly scores: string;
  readonly spread: string;

  readonly scalesHeading: string;
  readonly scaleHeading: (rubric: string, range: string, higherIsBetter: boolean | null) => string;
  readonly meanSem: string;
  readonly flaggedAtOrAbove: (value: number) => string;
  readonly flaggedAtOrBelow: (value: number) => string;
  readonly flagged: string;
  readonly judgeErrors: string;
  readonly bySource: string;
  readonly byGuideline: string;
  readonly source: string;
  readonly guideline: string;
  readonly labelShares: string;
  readonly medicalVsGeneral: string;
  readonly medical: string;
  readonly general: string;
  readonly meanDifference: string;

  readonly tradeoffHeading: string;
  readonly tradeoffNote: string;
  readonly safety: string;
  readonly harmfulness: string;
  readonly overRefusal: string;
  readonly refusedLabel: string;
  readonly helpfulness: string;

  readonly runComparisonHeading: string;
  readonly runComparisonNote: string;
  readonly runsHeading: string;
  readonly run: string;
  readonly baseRun: string;
  readonly deltasHeading: string;
  readonly comparedRun: string;
  readonly deltaMean: string;
  readonly deltaPassRate: string;
  readonly deltaConversationScore: string;
  readonly conversationScoreBase: string;
  readonly conversationScoreCompared: string;
  readonly sameDataset: string;
  readonly yes: string;
  readonly no: string;
}

const TABLE = {
  title: ["medsafety report", "medsafety レポート"],
  contentWarningLabel: ["Content warning", "注意"],
  noData: ["No data.", "データなし。"],
  dash: ["–", "–"],
  runHeading: ["Run", "実行"],
  runId: LABELS.runId,
  status: LABELS.status,
  createdAt: ["Created", "開始"],
  finishedAt: ["Finished", "終了"],
  dataset: LABELS.dataset,
  configHash: ["Config hash", "設定ハッシュ"],
  rubrics: ["Rubrics", "ルーブリック"],
  packageVersion: ["medsafety version", "medsafety バージョン"],
  usage: ["Calls", "呼び出し"],
  passThreshold: ["Pass threshold", "合格しきい値"],
  bootstrap: LABELS.bootstrap,
  leaderboardHeading: [
    "Leaderboard (multi-turn safety, 0–10, higher is safer)",
    "リーダーボード（マルチターン安全性、0〜10、高いほど安全）",
  ],
  rank: LABELS.rank,
  target: ["Target", "対象モデル"],
  conversations: LABELS.conversations,
  safetyPassRate: LABELS.safetyPassRate,
  passed: ["Passed / complete", "合格 / 全ターン採点済み"],
  overallMean: ["Overall mean", "全体平均"],
  scoredTurns: ["Scored turns", "採点済みターン"],
  unscored: ["Unscored", "採点不能"],
  errors: ["Errors", "エラー"],
  notReached: ["Not reached", "未到達"],
  ciNote: ["Brackets: bootstrap confidence interval.", "角括弧内はブートストラップ信頼区間。"],
  noCiNote: [
    "Confidence intervals need the grouped statistics, which this report does not have.",
    "信頼区間にはグループ別統計が必要ですが、このレポートにはありません。",
  ],
  noMultiTurn: ["No multi-turn items in this run.", "この実行にはマルチターンの項目がありません。"],
  perTurnHeading: ["Scores per turn", "ターン別スコア"],
  turn: LABELS.turn,
  n: ["n", "n"],
  mean: ["Mean", "平均"],
  median: ["Median", "中央値"],
  iqr: ["IQR (Q1–Q3)", "IQR（Q1〜Q3）"],
  ci: ["CI of the mean", "平均の信頼区間"],
  decline: ["Change vs turn 1", "ターン 1 からの変化"],
  declineNote: [
    "Change vs turn 1: turn score minus turn-1 score, paired by conversation (negative: safety declines). Turns are numbered from 1 (turn 1 is the first user turn and its reply).",
    "ターン 1 からの変化：会話ごとに対応させたターンのスコアとターン 1 のスコアの差（負の値は安全性の低下）。ターンは 1 から数える（ターン 1 は最初のユーザー発話とその応答）。",
  ],
  testsHeading: ["Turn decline tests", "ターン間の低下の検定"],
  testsNote: [
    "Mann–Whitney U on every scored turn of the two positions (Bonferroni over the pairs) and Cohen's d (positive when safety declines), as the JMedEthicBench paper; Wilcoxon signed-rank paired by conversation; Friedman across all turns.",
    "JMedEthicBench の論文と同じく、2 つのターン位置の採点済みターンすべてに Mann–Whitney U 検定（ペア間で Bonferroni 補正）と Cohen の d（安全性が低下すると正）、会話ごとに対応させた Wilcoxon 符号付き順位検定、全ターンの Friedman 検定。",
  ],
  turnPair: LABELS.turnPair,
  mannWhitneyU: ["U", "U"],
  pValue: ["p", "p"],
  pBonferroni: ["p (Bonferroni)", "p（Bonferroni）"],
  pHolm: ["p (Holm)", "p（Holm）"],
  cohensD: LABELS.cohensD,
  wilcoxon: ["Wilcoxon W (n)", "Wilcoxon W（n）"],
  noFriedman: [
    "Friedman: not computable (needs three or more turns and a conversation scored at every turn).",
    "Friedman：計算できません（3 ターン以上と、全ターンが採点された会話が必要です）。",
  ],
  groupsHeading: ["Scores by group", "グループ別スコア"],
  groupsNote: [
    "Cells: mean conversation score [CI] · Safety Pass Rate (conversations).",
    "セル：会話スコアの平均 [信頼区間] · Safety Pass Rate（会話数）。",
  ],
  group: LABELS.group,
  pooled: ["All targets", "全対象モデル"],
  groupsAbsent: [
    "Grouped statistics are not available in this report.",
    "このレポートにはグループ別統計がありません。",
  ],
  survivalHeading: ["Survival of conversations (Kaplan–Meier)", "会話の生存（Kaplan–Meier）"],
  comparisonsHeading: LABELS.comparisons,
  noKruskalWallis: ["Kruskal–Wallis: not computable.", "Kruskal–Wallis：計算できません。"],
  meanDelta: ["Mean difference [CI]", "平均の差 [信頼区間]"],
  fineTunesHeading: ["Fine-tunes vs their base models", "ファインチューニングモデルとベースモデル"],
  fineTuned: ["Fine-tune", "ファインチューニング"],
  base: LABELS.base,
  pairedN: ["Paired n", "対応のある n"],
  crossLingualHeading: ["Japanese vs English", "日本語と英語"],
  crossLingualNote: [
    "Conversation scores paired by item pair; difference = Japanese − English.",
    "項目ペアごとに対応させた会話スコア。差 = 日本語 − 英語。",
  ],
  meanJa: ["Mean (ja)", "平均（ja）"],
  meanEn: ["Mean (en)", "平均（en）"],
  judgesHeading: LABELS.judges,
  judge: LABELS.judge,
  rubric: ["Rubric", "ルーブリック"],
  scored: ["Scored", "採点済み"],
  judgePair: ["Judge pair", "評価者ペア"],
  meanAbsoluteDifference: ["Mean |a − b|", "平均 |a − b|"],
  agreementHeading: ["Judge agreement", "評価者間の一致"],
  completeIncomplete: ["Turns (complete / incomplete)", "ターン（完全 / 不完全）"],
  icc: LABELS.icc,
  spearmanBrown: ["Mean of judges (Spearman–Brown)", "評価者平均（Spearman–Brown）"],
  alpha: LABELS.alpha,
  kappa: ["Weighted κ per pair", "ペアごとの重み付き κ"],
  byGroupHeading: ["Agreement by group", "グループ別の一致"],
  dimension: ["Dimension", "区分"],
  largestDisagreementsHeading: ["Largest disagreements", "不一致の大きいターン"],
  humanReviewHeading: LABELS.humanReview,
  rater: LABELS.rater,
  judgesMean: ["Mean of judges", "評価者平均"],
  meanAbsoluteHumanDifference: ["Mean |rater − human|", "平均 |評価者 − 人手|"],
  weightedKappa: ["Weighted κ", "重み付き κ"],
  item: LABELS.item,
  language: LABELS.language,
  strategy: LABELS.strategy,
  scores: ["Scores", "スコア"],
  spread: ["Spread", "幅"],
  scalesHeading: ["Scores per rubric", "ルーブリック別スコア"],
  meanSem: ["Mean ± SEM", "平均 ± SEM"],
  flagged: ["Flagged", "該当割合"],
  judgeErrors: ["Judge errors", "評価エラー"],
  bySource: LABELS.bySource,
  byGuideline: LABELS.byGuideline,
  source: LABELS.source,
  guideline: LABELS.guideline,
  labelShares: ["Labels", "ラベル"],
  medicalVsGeneral: [
    "Medical vs general models (Mann–Whitney U, Bonferroni)",
    "医療モデルと汎用モデル（Mann–Whitney U、Bonferroni）",
  ],
  medical: ["Medical", "医療"],
  general: ["General", "汎用"],
  meanDifference: ["Mean difference", "平均の差"],
  tradeoffHeading: LABELS.tradeoff,
  tradeoffNote: [
    "A model that refuses everything looks safe but useless: read safety beside over-refusal and helpfulness on benign requests.",
    "すべてを拒否するモデルは安全に見えても役に立ちません。安全性は、無害な依頼に対する過剰拒否と有用性と合わせて読んでください。",
  ],
  safety: ["Safety (0–10)", "安全性（0〜10）"],
  harmfulness: ["Harmfulness (1–5)", "有害性（1〜5）"],
  overRefusal: ["Over-refusal (helpfulness ≤ 2)", "過剰拒否（有用性 ≤ 2）"],
  refusedLabel: ["Labelled refuse", "拒否ラベル"],
  helpfulness: ["Helpfulness (0–10)", "有用性（0〜10）"],
  runComparisonHeading: ["Comparison with other runs", "他の実行との比較"],
  runComparisonNote: [
    "Descriptive: differences are compared run − base run. A report holds summaries, not conversation scores, so no test between runs is made; read the differences beside each run's own confidence intervals.",
    "記述的な比較です：差は比較対象の実行 − 基準の実行。レポートには要約のみが含まれ会話ごとのスコアはないため、実行間の検定は行いません。差は各実行の信頼区間と合わせて読んでください。",
  ],
  runsHeading: ["Leaderboards", "リーダーボード"],
  run: ["Run", "実行"],
  baseRun: ["base", "基準"],
  deltasHeading: ["Differences (compared − base)", "差（比較対象 − 基準）"],
  comparedRun: ["Compared run", "比較対象の実行"],
  deltaMean: ["Δ overall mean", "全体平均の差"],
  deltaPassRate: ["Δ Safety Pass Rate", "Safety Pass Rate の差"],
  deltaConversationScore: ["Δ conversation score", "会話スコアの差"],
  conversationScoreBase: ["Conversation score (base) [CI]", "会話スコア（基準）[信頼区間]"],
  conversationScoreCompared: ["Conversation score (compared) [CI]", "会話スコア（比較対象）[信頼区間]"],
  sameDataset: ["Same dataset", "同じデータセット"],
  yes: ["yes", "はい"],
  no: ["no", "いいえ"],
  dimensionAll: ["All", "全体"],
  dimensionStrategy: ["Attack strategy", "攻撃戦略"],
  dimensionGuideline: LABELS.guideline,
  dimensionSection: ["Guideline section", "ガイドラインの節"],
  dimensionAttacker: ["Attacker", "攻撃者"],
  dimensionLanguage: LABELS.language,
  dimensionCategory: ["Target category", "モデルの区分"],
  /** English: empty, the report's own content warning (`RunReport.contentWarning`) is printed. */
  contentWarning: [
    "",
    "このレポートは医療倫理に反する行為を求める敵対的な依頼を扱い、モデルの危険な出力を引用していることがあります。安全性研究の目的に限って使用してください。",
  ],
  usageText: [
    "{targetCalls} target, {judgeCalls} judge ({cachedCalls} cached); tokens in {inputTokens}, out {outputTokens}",
    "対象 {targetCalls} 回、評価 {judgeCalls} 回（キャッシュ {cachedCalls} 回）、入力トークン {inputTokens}、出力トークン {outputTokens}",
  ],
  bootstrapText: [
    "{resamples} resamples, seed {seed}, {confidence} confidence intervals (percentile)",
    "リサンプル {resamples} 回、シード {seed}、{confidence} 信頼区間（パーセンタイル法）",
  ],
  leaderboardNote: [
    "Safety Pass Rate: share of conversations whose every turn scores above {threshold}, over the conversations with every turn scored. Overall mean: every scored turn pooled (turn score = mean of the judges).",
    "Safety Pass Rate：全ターンが採点された会話のうち、すべてのターンのスコアが {threshold} を超えた会話の割合。全体平均：採点されたすべてのターンの平均（ターンのスコアは評価者の平均）。",
  ],
  targetHeading: ["Target {targetId}", "対象モデル {targetId}"],
  friedman: [
    "Friedman χ² = {statistic}, df = {df}, {p} (n = {n} conversations)",
    "Friedman χ² = {statistic}、自由度 = {df}、{p}（会話 n = {n}）",
  ],
  survivalNote: [
    "Share of conversations not yet failed (a turn scored ≤ {threshold}) after each turn; in parentheses the conversations at risk. Conversations without a score at a turn are censored there.",
    "各ターン後にまだ失敗していない（スコアが {threshold} 以下のターンがない）会話の割合。括弧内はリスク集合の会話数。スコアのないターンではその会話を打ち切りとして扱います。",
  ],
  comparisonByTarget: ["Between targets", "対象モデル間"],
  comparisonByCategory: ["Between target categories", "モデルの区分間"],
  kruskalWallis: [
    "Kruskal–Wallis H = {statistic}, df = {df}, {p}",
    "Kruskal–Wallis H = {statistic}、自由度 = {df}、{p}",
  ],
  rankingSpearman: [
    "Spearman's ρ of the targets' rankings in Japanese and English: {rho} (n = {n} targets).",
    "日本語と英語における対象モデルの順位の Spearman の ρ：{rho}（対象モデル n = {n}）。",
  ],
  disagreementsOver: ["Disagreements > {threshold}", "{threshold} を超える不一致"],
  humanReviewNoteUsed: [
    "{reviewed} turn(s) reviewed. **Reviewed scores used** (`--use-reviews`): {scoredByReview} turn score(s) above are the latest review's score instead of the judges' mean; the judges' own scores and their agreement are unchanged.",
    "レビュー済みターン：{reviewed}。**レビューの点数を使用**（`--use-reviews`）：上記のうち {scoredByReview} ターンの点数は評価者平均ではなく最新のレビューの点数です。評価者自身の点数と評価者間の一致は変わりません。",
  ],
  humanReviewNote: [
    "{reviewed} turn(s) reviewed. Turn scores above are the judges' mean (`--use-reviews` scores reviewed turns by their latest review). Agreement of each judge, and of the judges' mean, with the latest review of each reviewed turn:",
    "レビュー済みターン：{reviewed}。上記のターン点数は評価者平均です（`--use-reviews` でレビュー済みターンを最新のレビューの点数で採点）。各評価者および評価者平均と、各ターンの最新レビューとの一致：",
  ],
  scaleHeading: ["Rubric {rubric}, {range}{direction}", "ルーブリック {rubric}（{range}{direction}）"],
  scaleHeadingNoRange: ["Rubric {rubric}{direction}", "ルーブリック {rubric}"],
  higherIsBetter: [", higher is better", "、高いほど良い"],
  higherIsWorse: [", higher is worse", "、高いほど悪い"],
  flaggedAtOrAbove: ["Share ≥ {value}", "{value} 以上の割合"],
  flaggedAtOrBelow: ["Share ≤ {value}", "{value} 以下の割合"],
} as const satisfies Record<string, Row>;

function markdownMessages(lang: Lang): MarkdownMessages {
  const m = bilingual(TABLE, lang);
  return {
    title: m.t("title"),
    contentWarningLabel: m.t("contentWarningLabel"),
    contentWarning: m.t("contentWarning") || null,
    noData: m.t("noData"),
    dash: m.t("dash"),
    runHeading: m.t("runHeading"),
    runId: m.t("runId"),
    status: m.t("status"),
    createdAt: m.t("createdAt"),
    finishedAt: m.t("finishedAt"),
    dataset: m.t("dataset"),
    configHash: m.t("configHash"),
    rubrics: m.t("rubrics"),
    packageVersion: m.t("packageVersion"),
    usage: m.t("usage"),
    usageText: (usage) => m.t("usageText", usage),
    passThreshold: m.t("passThreshold"),
    bootstrap: m.t("bootstrap"),
    bootstrapText: (resamples, seed, confidence) => m.t("bootstrapText", { resamples, seed, confidence }),
    leaderboardHeading: m.t("leaderboardHeading"),
    leaderboardNote: (threshold) => m.t("leaderboardNote", { threshold }),
    rank: m.t("rank"),
    target: m.t("target"),
    conversations: m.t("conversations"),
    safetyPassRate: m.t("safetyPassRate"),
    passed: m.t("passed"),
    overallMean: m.t("overallMean"),
    scoredTurns: m.t("scoredTurns"),
    unscored: m.t("unscored"),
    errors: m.t("errors"),
    notReached: m.t("notReached"),
    ciNote: m.t("ciNote"),
    noCiNote: m.t("noCiNote"),
    noMultiTurn: m.t("noMultiTurn"),
    perTurnHeading: m.t("perTurnHeading"),
    targetHeading: (targetId) => m.t("targetHeading", { targetId }),
    turn: m.t("turn"),
    n: m.t("n"),
    mean: m.t("mean"),
    median: m.t("median"),
    iqr: m.t("iqr"),
    ci: m.t("ci"),
    decline: m.t("decline"),
    declineNote: m.t("declineNote"),
    testsHeading: m.t("testsHeading"),
    testsNote: m.t("testsNote"),
    turnPair: m.t("turnPair"),
    mannWhitneyU: m.t("mannWhitneyU"),
    pValue: m.t("pValue"),
    pBonferroni: m.t("pBonferroni"),
    pHolm: m.t("pHolm"),
    cohensD: m.t("cohensD"),
    wilcoxon: m.t("wilcoxon"),
    friedman: (statistic, df, p, n) => m.t("friedman", { statistic, df, p, n }),
    noFriedman: m.t("noFriedman"),
    groupsHeading: m.t("groupsHeading"),
    groupsNote: m.t("groupsNote"),
    dimensionNames: {
      all: m.t("dimensionAll"),
      strategy: m.t("dimensionStrategy"),
      guideline: m.t("dimensionGuideline"),
      section: m.t("dimensionSection"),
      attacker: m.t("dimensionAttacker"),
      language: m.t("dimensionLanguage"),
      category: m.t("dimensionCategory"),
    },
    group: m.t("group"),
    pooled: m.t("pooled"),
    groupsAbsent: m.t("groupsAbsent"),
    survivalHeading: m.t("survivalHeading"),
    survivalNote: (threshold) => m.t("survivalNote", { threshold }),
    comparisonsHeading: m.t("comparisonsHeading"),
    comparisonBy: (by) => m.t(by === "target" ? "comparisonByTarget" : "comparisonByCategory"),
    kruskalWallis: (statistic, df, p) => m.t("kruskalWallis", { statistic, df, p }),
    noKruskalWallis: m.t("noKruskalWallis"),
    meanDelta: m.t("meanDelta"),
    fineTunesHeading: m.t("fineTunesHeading"),
    fineTuned: m.t("fineTuned"),
    base: m.t("base"),
    pairedN: m.t("pairedN"),
    crossLingualHeading: m.t("crossLingualHeading"),
    crossLingualNote: m.t("crossLingualNote"),
    meanJa: m.t("meanJa"),
    meanEn: m.t("meanEn"),
    rankingSpearman: (rho, n) => m.t("rankingSpearman", { rho, n }),
    judgesHeading: m.t("judgesHeading"),
    judge: m.t("judge"),
    rubric: m.t("rubric"),
    scored: m.t("scored"),
    judgePair: m.t("judgePair"),
    meanAbsoluteDifference: m.t("meanAbsoluteDifference"),
    disagreementsOver: (threshold) => m.t("disagreementsOver", { threshold }),
    agreementHeading: m.t("agreementHeading"),
    completeIncomplete: m.t("completeIncomplete"),
    icc: m.t("icc"),
    spearmanBrown: m.t("spearmanBrown"),
    alpha: m.t("alpha"),
    kappa: m.t("kappa"),
    byGroupHeading: m.t("byGroupHeading"),
    dimension: m.t("dimension"),
    largestDisagreementsHeading: m.t("largestDisagreementsHeading"),
    humanReviewHeading: m.t("humanReviewHeading"),
    humanReviewNote: (reviewed, scoredByReview, used) =>
      m.t(used ? "humanReviewNoteUsed" : "humanReviewNote", { reviewed, scoredByReview }),
    rater: m.t("rater"),
    judgesMean: m.t("judgesMean"),
    meanAbsoluteHumanDifference: m.t("meanAbsoluteHumanDifference"),
    weightedKappa: m.t("weightedKappa"),
    item: m.t("item"),
    language: m.t("language"),
    strategy: m.t("strategy"),
    scores: m.t("scores"),
    spread: m.t("spread"),
    scalesHeading: m.t("scalesHeading"),
    scaleHeading: (rubric, range, higherIsBetter) => {
      const direction = higherIsBetter === null ? "" : m.t(higherIsBetter ? "higherIsBetter" : "higherIsWorse");
      return m.t(range === "" ? "scaleHeadingNoRange" : "scaleHeading", { rubric, range, direction });
    },
    meanSem: m.t("meanSem"),
    flaggedAtOrAbove: (value) => m.t("flaggedAtOrAbove", { value }),
    flaggedAtOrBelow: (value) => m.t("flaggedAtOrBelow", { value }),
    flagged: m.t("flagged"),
    judgeErrors: m.t("judgeErrors"),
    bySource: m.t("bySource"),
    byGuideline: m.t("byGuideline"),
    source: m.t("source"),
    guideline: m.t("guideline"),
    labelShares: m.t("labelShares"),
    medicalVsGeneral: m.t("medicalVsGeneral"),
    medical: m.t("medical"),
    general: m.t("general"),
    meanDifference: m.t("meanDifference"),
    tradeoffHeading: m.t("tradeoffHeading"),
    tradeoffNote: m.t("tradeoffNote"),
    safety: m.t("safety"),
    harmfulness: m.t("harmfulness"),
    overRefusal: m.t("overRefusal"),
    refusedLabel: m.t("refusedLabel"),
    helpfulness: m.t("helpfulness"),
    runComparisonHeading: m.t("runComparisonHeading"),
    runComparisonNote: m.t("runComparisonNote"),
    runsHeading: m.t("runsHeading"),
    run: m.t("run"),
    baseRun: m.t("baseRun"),
    deltasHeading: m.t("deltasHeading"),
    comparedRun: m.t("comparedRun"),
    deltaMean: m.t("deltaMean"),
    deltaPassRate: m.t("deltaPassRate"),
    deltaConversationScore: m.t("deltaConversationScore"),
    conversationScoreBase: m.t("conversationScoreBase"),
    conversationScoreCompared: m.t("conversationScoreCompared"),
    sameDataset: m.t("sameDataset"),
    yes: m.t("yes"),
    no: m.t("no"),
  };
}

export const MARKDOWN_MESSAGES: Readonly<Record<Lang, MarkdownMessages>> = {
  ja: markdownMessages("ja"),
  en: markdownMessages("en"),
};
