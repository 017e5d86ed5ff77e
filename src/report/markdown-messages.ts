/** Headings, labels and notes of the Markdown report, in Japanese and English (numbers and ids are not translated). */
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

const en: MarkdownMessages = {
  title: "medsafety report",
  contentWarningLabel: "Content warning",
  contentWarning: null,
  noData: "No data.",
  dash: "–",

  runHeading: "Run",
  runId: "Run id",
  status: "Status",
  createdAt: "Created",
  finishedAt: "Finished",
  dataset: "Dataset",
  configHash: "Config hash",
  rubrics: "Rubrics",
  packageVersion: "medsafety version",
  usage: "Calls",
  usageText: (usage) =>
    `${usage.targetCalls} target, ${usage.judgeCalls} judge (${usage.cachedCalls} cached); tokens in ${usage.inputTokens}, out ${usage.outputTokens}`,
  passThreshold: "Pass threshold",
  bootstrap: "Bootstrap",
  bootstrapText: (resamples, seed, confidence) =>
    `${resamples} resamples, seed ${seed}, ${confidence} confidence intervals (percentile)`,

  leaderboardHeading: "Leaderboard (multi-turn safety, 0–10, higher is safer)",
  leaderboardNote: (threshold) =>
    `Safety Pass Rate: share of conversations whose every turn scores above ${threshold}, over the conversations with every turn scored. Overall mean: every scored turn pooled (turn score = mean of the judges).`,
  rank: "#",
  target: "Target",
  conversations: "Conversations",
  safetyPassRate: "Safety Pass Rate",
  passed: "Passed / complete",
  overallMean: "Overall mean",
  scoredTurns: "Scored turns",
  unscored: "Unscored",
  errors: "Errors",
  notReached: "Not reached",
  ciNote: "Brackets: bootstrap confidence interval.",
  noCiNote: "Confidence intervals need the grouped statistics, which this report does not have.",
  noMultiTurn: "No multi-turn items in this run.",

  perTurnHeading: "Scores per turn",
  targetHeading: (targetId) => `Target ${targetId}`,
  turn: "Turn",
  n: "n",
  mean: "Mean",
  median: "Median",
  iqr: "IQR (Q1–Q3)",
  ci: "CI of the mean",
  decline: "Change vs turn 1",
  declineNote:
    "Change vs turn 1: turn score minus turn-1 score, paired by conversation (negative: safety declines). Turns are numbered from 1 (turn 1 is the first user turn and its reply).",

  testsHeading: "Turn decline tests",
  testsNote:
    "Mann–Whitney U on every scored turn of the two positions (Bonferroni over the pairs) and Cohen's d (positive when safety declines), as the JMedEthicBench paper; Wilcoxon signed-rank paired by conversation; Friedman across all turns.",
  turnPair: "Turns",
  mannWhitneyU: "U",
  pValue: "p",
  pBonferroni: "p (Bonferroni)",
  pHolm: "p (Holm)",
  cohensD: "Cohen's d",
  wilcoxon: "Wilcoxon W (n)",
  friedman: (statistic, df, p, n) => `Friedman χ² = ${statistic}, df = ${df}, ${p} (n = ${n} conversations)`,
  noFriedman: "Friedman: not computable (needs three or more turns and a conversation scored at every turn).",

  groupsHeading: "Scores by group",
  groupsNote: "Cells: mean conversation score [CI] · Safety Pass Rate (conversations).",
  dimensionNames: {
    all: "All",
    strategy: "Attack strategy",
    guideline: "Guideline",
    section: "Guideline section",
    attacker: "Attacker",
    language: "Language",
    category: "Target category",
  },
  group: "Group",
  pooled: "All targets",
  groupsAbsent: "Grouped statistics are not available in this report.",

  survivalHeading: "Survival of conversations (Kaplan–Meier)",
  survivalNote: (threshold) =>
    `Share of conversations not yet failed (a turn scored ≤ ${threshold}) after each turn; in parentheses the conversations at risk. Conversations without a score at a turn are censored there.`,

  comparisonsHeading: "Comparisons",
  comparisonBy: (by) => (by === "target" ? "Between targets" : "Between target categories"),
  kruskalWallis: (statistic, df, p) => `Kruskal–Wallis H = ${statistic}, df = ${df}, ${p}`,
  noKruskalWallis: "Kruskal–Wallis: not computable.",
  meanDelta: "Mean difference [CI]",

  fineTunesHeading: "Fine-tunes vs their base models",
  fineTuned: "Fine-tune",
  base: "Base",
  pairedN: "Paired n",

  crossLingualHeading: "Japanese vs English",
  crossLingualNote: "Conversation scores paired by item pair; difference = Japanese − English.",
  meanJa: "Mean (ja)",
  meanEn: "Mean (en)",
  rankingSpearman: (rho, n) =>
    `Spearman's ρ of the targets' rankings in Japanese and English: ${rho} (n = ${n} targets).`,

  judgesHeading: "Judges",
  judge: "Judge",
  rubric: "Rubric",
  scored: "Scored",
  judgePair: "Judge pair",
  meanAbsoluteDifference: "Mean |a − b|",
  disagreementsOver: (threshold) => `Disagreements > ${threshold}`,

  agreementHeading: "Judge agreement",
  completeIncomplete: "Turns (complete / incomplete)",
  icc: "ICC(2,1)",
  spearmanBrown: "Mean of judges (Spearman–Brown)",
  alpha: "Krippendorff's α",
  kappa: "Weighted κ per pair",
  byGroupHeading: "Agreement by group",
  dimension: "Dimension",
  largestDisagreementsHeading: "Largest disagreements",
  humanReviewHeading: "Judge vs human review",
  humanReviewNote: (reviewed, scoredByReview, used) =>
    used
      ? `${reviewed} turn(s) reviewed. **Reviewed scores used** (\`--use-reviews\`): ${scoredByReview} turn score(s) above are the latest review's score instead of the judges' mean; the judges' own scores and their agreement are unchanged.`
      : `${reviewed} turn(s) reviewed. Turn scores above are the judges' mean (\`--use-reviews\` scores reviewed turns by their latest review). Agreement of each judge, and of the judges' mean, with the latest review of each reviewed turn:`,
  rater: "Rater",
  judgesMean: "Mean of judges",
  meanAbsoluteHumanDifference: "Mean |rater − human|",
  weightedKappa: "Weighted κ",
  item: "Item",
  language: "Language",
  strategy: "Strategy",
  scores: "Scores",
  spread: "Spread",

  scalesHeading: "Scores per rubric",
  scaleHeading: (rubric, range, higherIsBetter) =>
    `Rubric ${rubric}${range === "" ? "" : `, ${range}`}${higherIsBetter === null ? "" : higherIsBetter ? ", higher is better" : ", higher is worse"}`,
  meanSem: "Mean ± SEM",
  flaggedAtOrAbove: (value) => `Share ≥ ${value}`,
  flaggedAtOrBelow: (value) => `Share ≤ ${value}`,
  flagged: "Flagged",
  judgeErrors: "Judge errors",
  bySource: "By source",
  byGuideline: "By guideline",
  source: "Source",
  guideline: "Guideline",
  labelShares: "Labels",
  medicalVsGeneral: "Medical vs general models (Mann–Whitney U, Bonferroni)",
  medical: "Medical",
  general: "General",
  meanDifference: "Mean difference",

  tradeoffHeading: "Safety vs over-refusal",
  tradeoffNote:
    "A model that refuses everything looks safe but useless: read safety beside over-refusal and helpfulness on benign requests.",
  safety: "Safety (0–10)",
  harmfulness: "Harmfulness (1–5)",
  overRefusal: "Over-refusal (helpfulness ≤ 2)",
  refusedLabel: "Labelled refuse",
  helpfulness: "Helpfulness (0–10)",

  runComparisonHeading: "Comparison with other runs",
  runComparisonNote:
    "Descriptive: differences are compared run − base run. A report holds summaries, not conversation scores, so no test between runs is made; read the differences beside each run's own confidence intervals.",
  runsHeading: "Leaderboards",
  run: "Run",
  baseRun: "base",
  deltasHeading: "Differences (compared − base)",
  comparedRun: "Compared run",
  deltaMean: "Δ overall mean",
  deltaPassRate: "Δ Safety Pass Rate",
  deltaConversationScore: "Δ conversation score",
  conversationScoreBase: "Conversation score (base) [CI]",
  conversationScoreCompared: "Conversation score (compared) [CI]",
  sameDataset: "Same dataset",
  yes: "yes",
  no: "no",
};

const ja: MarkdownMessages = {
  title: "medsafety レポート",
  contentWarningLabel: "注意",
  contentWarning:
    "このレポートは医療倫理に反する行為を求める敵対的な依頼を扱い、モデルの危険な出力を引用していることがあります。安全性研究の目的に限って使用してください。",
  noData: "データなし。",
  dash: "–",

  runHeading: "実行",
  runId: "実行 ID",
  status: "状態",
  createdAt: "開始",
  finishedAt: "終了",
  dataset: "データセット",
  configHash: "設定ハッシュ",
  rubrics: "ルーブリック",
  packageVersion: "medsafety バージョン",
  usage: "呼び出し",
  usageText: (usage) =>
    `対象 ${usage.targetCalls} 回、評価 ${usage.judgeCalls} 回（キャッシュ ${usage.cachedCalls} 回）、入力トークン ${usage.inputTokens}、出力トークン ${usage.outputTokens}`,
  passThreshold: "合格しきい値",
  bootstrap: "ブートストラップ",
  bootstrapText: (resamples, seed, confidence) =>
    `リサンプル ${resamples} 回、シード ${seed}、${confidence} 信頼区間（パーセンタイル法）`,

  leaderboardHeading: "リーダーボード（マルチターン安全性、0〜10、高いほど安全）",
  leaderboardNote: (threshold) =>
    `Safety Pass Rate：全ターンが採点された会話のうち、すべてのターンのスコアが ${threshold} を超えた会話の割合。全体平均：採点されたすべてのターンの平均（ターンのスコアは評価者の平均）。`,
  rank: "順位",
  target: "対象モデル",
  conversations: "会話数",
  safetyPassRate: "Safety Pass Rate",
  passed: "合格 / 全ターン採点済み",
  overallMean: "全体平均",
  scoredTurns: "採点済みターン",
  unscored: "採点不能",
  errors: "エラー",
  notReached: "未到達",
  ciNote: "角括弧内はブートストラップ信頼区間。",
  noCiNote: "信頼区間にはグループ別統計が必要ですが、このレポートにはありません。",
  noMultiTurn: "この実行にはマルチターンの項目がありません。",

  perTurnHeading: "ターン別スコア",
  targetHeading: (targetId) => `対象モデル ${targetId}`,
  turn: "ターン",
  n: "n",
  mean: "平均",
  median: "中央値",
  iqr: "IQR（Q1〜Q3）",
  ci: "平均の信頼区間",
  decline: "ターン 1 からの変化",
  declineNote:
    "ターン 1 からの変化：会話ごとに対応させたターンのスコアとターン 1 のスコアの差（負の値は安全性の低下）。ターンは 1 から数える（ターン 1 は最初のユーザー発話とその応答）。",

  testsHeading: "ターン間の低下の検定",
  testsNote:
    "JMedEthicBench の論文と同じく、2 つのターン位置の採点済みターンすべてに Mann–Whitney U 検定（ペア間で Bonferroni 補正）と Cohen の d（安全性が低下すると正）、会話ごとに対応させた Wilcoxon 符号付き順位検定、全ターンの Friedman 検定。",
  turnPair: "ターン",
  mannWhitneyU: "U",
  pValue: "p",
  pBonferroni: "p（Bonferroni）",
  pHolm: "p（Holm）",
  cohensD: "Cohen の d",
  wilcoxon: "Wilcoxon W（n）",
  friedman: (statistic, df, p, n) => `Friedman χ² = ${statistic}、自由度 = ${df}、${p}（会話 n = ${n}）`,
  noFriedman: "Friedman：計算できません（3 ターン以上と、全ターンが採点された会話が必要です）。",

  groupsHeading: "グループ別スコア",
  groupsNote: "セル：会話スコアの平均 [信頼区間] · Safety Pass Rate（会話数）。",
  dimensionNames: {
    all: "全体",
    strategy: "攻撃戦略",
    guideline: "ガイドライン",
    section: "ガイドラインの節",
    attacker: "攻撃者",
    language: "言語",
    category: "モデルの区分",
  },
  group: "グループ",
  pooled: "全対象モデル",
  groupsAbsent: "このレポートにはグループ別統計がありません。",

  survivalHeading: "会話の生存（Kaplan–Meier）",
  survivalNote: (threshold) =>
    `各ターン後にまだ失敗していない（スコアが ${threshold} 以下のターンがない）会話の割合。括弧内はリスク集合の会話数。スコアのないターンではその会話を打ち切りとして扱います。`,

  comparisonsHeading: "比較",
  comparisonBy: (by) => (by === "target" ? "対象モデル間" : "モデルの区分間"),
  kruskalWallis: (statistic, df, p) => `Kruskal–Wallis H = ${statistic}、自由度 = ${df}、${p}`,
  noKruskalWallis: "Kruskal–Wallis：計算できません。",
  meanDelta: "平均の差 [信頼区間]",

  fineTunesHeading: "ファインチューニングモデルとベースモデル",
  fineTuned: "ファインチューニング",
  base: "ベース",
  pairedN: "対応のある n",

  crossLingualHeading: "日本語と英語",
  crossLingualNote: "項目ペアごとに対応させた会話スコア。差 = 日本語 − 英語。",
  meanJa: "平均（ja）",
  meanEn: "平均（en）",
  rankingSpearman: (rho, n) => `日本語と英語における対象モデルの順位の Spearman の ρ：${rho}（対象モデル n = ${n}）。`,

  judgesHeading: "評価者",
  judge: "評価者",
  rubric: "ルーブリック",
  scored: "採点済み",
  judgePair: "評価者ペア",
  meanAbsoluteDifference: "平均 |a − b|",
  disagreementsOver: (threshold) => `${threshold} を超える不一致`,

  agreementHeading: "評価者間の一致",
  completeIncomplete: "ターン（完全 / 不完全）",
  icc: "ICC(2,1)",
  spearmanBrown: "評価者平均（Spearman–Brown）",
  alpha: "Krippendorff の α",
  kappa: "ペアごとの重み付き κ",
  byGroupHeading: "グループ別の一致",
  dimension: "区分",
  largestDisagreementsHeading: "不一致の大きいターン",
  humanReviewHeading: "評価者と人手レビューの一致",
  humanReviewNote: (reviewed, scoredByReview, used) =>
    used
      ? `レビュー済みターン：${reviewed}。**レビューの点数を使用**（\`--use-reviews\`）：上記のうち ${scoredByReview} ターンの点数は評価者平均ではなく最新のレビューの点数です。評価者自身の点数と評価者間の一致は変わりません。`
      : `レビュー済みターン：${reviewed}。上記のターン点数は評価者平均です（\`--use-reviews\` でレビュー済みターンを最新のレビューの点数で採点）。各評価者および評価者平均と、各ターンの最新レビューとの一致：`,
  rater: "評価者",
  judgesMean: "評価者平均",
  meanAbsoluteHumanDifference: "平均 |評価者 − 人手|",
  weightedKappa: "重み付き κ",
  item: "項目",
  language: "言語",
  strategy: "戦略",
  scores: "スコア",
  spread: "幅",

  scalesHeading: "ルーブリック別スコア",
  scaleHeading: (rubric, range, higherIsBetter) =>
    `ルーブリック ${rubric}${range === "" ? "" : `（${range}${higherIsBetter === null ? "" : higherIsBetter ? "、高いほど良い" : "、高いほど悪い"}）`}`,
  meanSem: "平均 ± SEM",
  flaggedAtOrAbove: (value) => `${value} 以上の割合`,
  flaggedAtOrBelow: (value) => `${value} 以下の割合`,
  flagged: "該当割合",
  judgeErrors: "評価エラー",
  bySource: "出典別",
  byGuideline: "ガイドライン別",
  source: "出典",
  guideline: "ガイドライン",
  labelShares: "ラベル",
  medicalVsGeneral: "医療モデルと汎用モデル（Mann–Whitney U、Bonferroni）",
  medical: "医療",
  general: "汎用",
  meanDifference: "平均の差",

  tradeoffHeading: "安全性と過剰拒否",
  tradeoffNote:
    "すべてを拒否するモデルは安全に見えても役に立ちません。安全性は、無害な依頼に対する過剰拒否と有用性と合わせて読んでください。",
  safety: "安全性（0〜10）",
  harmfulness: "有害性（1〜5）",
  overRefusal: "過剰拒否（有用性 ≤ 2）",
  refusedLabel: "拒否ラベル",
  helpfulness: "有用性（0〜10）",

  runComparisonHeading: "他の実行との比較",
  runComparisonNote:
    "記述的な比較です：差は比較対象の実行 − 基準の実行。レポートには要約のみが含まれ会話ごとのスコアはないため、実行間の検定は行いません。差は各実行の信頼区間と合わせて読んでください。",
  runsHeading: "リーダーボード",
  run: "実行",
  baseRun: "基準",
  deltasHeading: "差（比較対象 − 基準）",
  comparedRun: "比較対象の実行",
  deltaMean: "全体平均の差",
  deltaPassRate: "Safety Pass Rate の差",
  deltaConversationScore: "会話スコアの差",
  conversationScoreBase: "会話スコア（基準）[信頼区間]",
  conversationScoreCompared: "会話スコア（比較対象）[信頼区間]",
  sameDataset: "同じデータセット",
  yes: "はい",
  no: "いいえ",
};

export const MARKDOWN_MESSAGES: Readonly<Record<"ja" | "en", MarkdownMessages>> = { ja, en };
