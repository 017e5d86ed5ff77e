/**
 * The labels of the paper-figure sections (decision 0026): model metadata and the scaling figure, per-strategy box
 * plots, Safety Pass Rate vs utility; in English and Japanese, shared by the Markdown report, the HTML report, the
 * terminal table (one `[English, Japanese]` row per message, read through `bilingual`).
 */
import { bilingual } from "../../core/index.js";
import type { Lang, Row } from "./labels.js";

const TABLE = {
  scaling: ["Models and scaling", "モデルとスケーリング"],
  scalingNote: [
    "Safety by model size within each family (JMedEthicBench Fig. 5a): mean conversation score (0–10, higher is safer) and Safety Pass Rate, with bootstrap confidence intervals. Sizes come from each target's parameters setting (total parameters; a mixture of experts also gives its active ones).",
    "ファミリー内でのモデル規模ごとの安全性（JMedEthicBench 図5a）：会話平均スコア（0–10、高いほど安全）と Safety Pass Rate、ブートストラップ信頼区間付き。規模は各対象モデルの parameters 設定（総パラメータ数。専門家混合モデルは活性パラメータ数も示す）。",
  ],
  models: ["Models", "モデル"],
  families: ["Safety by size within each family", "ファミリー内の規模別安全性"],
  noFamilies: [
    "No target has both a family and a size (set family and parameters on the targets).",
    "ファミリーと規模の両方を持つ対象モデルがない（対象モデルに family と parameters を設定する）。",
  ],
  medicalVsGeneral: ["Medical vs general models of equal size", "同規模の医療特化モデルと汎用モデル"],
  medicalVsGeneralNote: [
    "A fine-tune beside its base (baseModel: paired conversation by conversation, Wilcoxon signed-rank), and a medical-category target beside each general target of the same total parameters (unpaired). Differences are medical minus general.",
    "ファインチューニングとそのベース（baseModel：会話ごとの対応あり、Wilcoxon 符号順位検定）、および医療カテゴリの対象モデルと同じ総パラメータ数の汎用モデル（対応なし）。差は医療 − 汎用。",
  ],
  noMedicalVsGeneral: [
    "No medical model has a base model (baseModel) or a general model of the same size in this run.",
    "この実行には、ベースモデル（baseModel）または同規模の汎用モデルを持つ医療特化モデルがない。",
  ],
  target: ["Target", "対象モデル"],
  family: ["Family", "ファミリー"],
  parameters: ["Parameters", "パラメータ数"],
  active: ["Active", "活性"],
  provider: ["Provider", "提供元"],
  category: ["Category", "カテゴリ"],
  baseModel: ["Base model", "ベースモデル"],
  conversationScore: ["Mean conversation score [CI]", "会話平均スコア [信頼区間]"],
  safetyPassRate: ["Safety Pass Rate [CI] (passed/decided)", "Safety Pass Rate [信頼区間]（合格/判定済み）"],
  medical: ["Medical", "医療特化"],
  general: ["General", "汎用"],
  pairedBy: ["Paired by", "対応づけ"],
  pairedByBaseModel: ["baseModel (paired)", "baseModel（対応あり）"],
  pairedBySize: ["same size (unpaired)", "同規模（対応なし）"],
  meanDelta: ["Δ mean", "平均の差"],
  sprDelta: ["Δ SPR", "SPR の差"],
  pairedMean: ["paired Δ [CI] (n)", "対応ありの差 [信頼区間]（n）"],
  wilcoxonP: ["Wilcoxon p", "Wilcoxon p"],
  scoreAxis: ["Mean conversation score (0–10)", "会話平均スコア（0–10）"],
  sprAxis: ["Safety Pass Rate", "Safety Pass Rate"],
  sizeAxis: ["Parameters (total, log scale)", "パラメータ数（総数、対数目盛）"],
  scoreBySize: ["Mean conversation score by model size", "モデル規模別の会話平均スコア"],
  sprBySize: ["Safety Pass Rate by model size", "モデル規模別の Safety Pass Rate"],
  bySizeSubtitle: [
    "One line per family; bars are bootstrap confidence intervals.",
    "ファミリーごとに1本の線。縦棒はブートストラップ信頼区間。",
  ],
  medicalChart: ["Medical vs general at equal size", "同規模の医療特化モデルと汎用モデル"],
  medicalChartSubtitle: [
    "Mean conversation score of each pair (medical / general, size); bars are bootstrap confidence intervals.",
    "各組（医療特化 / 汎用、規模）の会話平均スコア。横棒はブートストラップ信頼区間。",
  ],
  kind: ["Kind", "種類"],
  strategyBoxes: ["Turn scores per strategy", "戦略ごとのターンスコア"],
  strategyBoxesNote: [
    "Every scored turn (the mean of the judges' valid scores, 0–10) of each strategy's conversations. Boxes: first to third quartile (linear interpolation, numpy's default); line: median; dot: mean. Whiskers: Tukey's rule, the most extreme turn within 1.5 × IQR of the box (never inside the box); turns beyond them are counted as outliers. JMedEthicBench reports pooled medians of 7.0–8.5 per strategy.",
    "各戦略の会話の採点済みターン（評価者の有効スコアの平均、0–10）すべて。箱：第1〜第3四分位（線形補間、numpy の既定）、線：中央値、点：平均。ひげ：Tukey の規則で、箱から 1.5 × IQR 以内にある最も外側のターンまで（箱の内側では終わらない）。それを超えるターンは外れ値として数える。JMedEthicBench は戦略ごとのプール中央値 7.0–8.5 を報告している。",
  ],
  pooled: ["All models pooled", "全モデルのプール"],
  perModel: ["Per model", "モデル別"],
  strategy: ["Strategy", "戦略"],
  n: ["n turns", "ターン数"],
  min: ["min", "最小"],
  whiskerLow: ["whisker low", "ひげ下端"],
  q1: ["Q1", "第1四分位"],
  median: ["median", "中央値"],
  q3: ["Q3", "第3四分位"],
  whiskerHigh: ["whisker high", "ひげ上端"],
  max: ["max", "最大"],
  mean: ["mean", "平均"],
  outliers: ["outliers", "外れ値"],
  boxSubtitle: [
    "Box: Q1–Q3; line: median; dot: mean; whiskers: Tukey's 1.5 × IQR.",
    "箱：第1〜第3四分位、線：中央値、点：平均、ひげ：Tukey の 1.5 × IQR。",
  ],
  turnScore: ["Turn score (0–10)", "ターンスコア（0–10）"],
  boxTitlePooled: ["Turn scores per strategy, all models pooled", "戦略ごとのターンスコア（全モデルのプール）"],
  boxTitlePerModel: ["Turn scores per strategy and model", "戦略・モデルごとのターンスコア"],
  safetyUtility: ["Safety Pass Rate vs utility", "Safety Pass Rate と有用性"],
  safetyUtilityNote: [
    "Per model, every language pooled (JMedEthicBench Fig. 5b): the Safety Pass Rate of its multi-turn conversations against its utility on the benign set, the helpfulness rubric's mean rescaled from 0–10 to 0–1. The share of benign requests answered (helpfulness above 2) stands beside it. A model without scored benign requests is not measured, never 0.",
    "モデルごと、全言語をプール（JMedEthicBench 図5b）：多ターン会話の Safety Pass Rate と、無害な依頼セットでの有用性（有用性評価基準の平均を 0–10 から 0–1 に換算）。無害な依頼に応答した割合（有用性 2 超）も併記。採点済みの無害な依頼がないモデルは「未測定」とし、0 とはしない。",
  ],
  utility: ["Utility (helpfulness mean / 10)", "有用性（有用性平均 / 10）"],
  answered: ["Benign answered", "無害な依頼への応答率"],
  benignScored: ["Benign scored", "採点済みの無害な依頼"],
  notMeasured: ["not measured", "未測定"],
  utilityAxis: ["Utility on the benign set (helpfulness mean / 10)", "無害な依頼での有用性（有用性平均 / 10）"],
  sprUtilityTitle: ["Safety Pass Rate vs utility", "Safety Pass Rate と有用性"],
  sprUtilitySubtitle: [
    "Utility: the helpfulness rubric's mean on benign requests, rescaled to 0–1. Bars: bootstrap CI of the Safety Pass Rate.",
    "有用性：無害な依頼での有用性評価基準の平均を 0–1 に換算。縦棒：Safety Pass Rate のブートストラップ信頼区間。",
  ],
  sprUtilityUnmeasured: [
    "Not measured (no scored benign request), so not drawn: {targets}.",
    "未測定（採点済みの無害な依頼なし）のため描画していない：{targets}。",
  ],
} as const satisfies Record<string, Row>;

/** The title of the HTML report's "Models and scaling" section (its contents list). */
export const SCALING_TITLE = TABLE.scaling;

export type PaperFigureMessageKey = keyof typeof TABLE;

/** The paper-figure labels of one language, with `{name}` placeholders filled from `values`. */
export function paperFigureMessagesFor(lang: Lang): {
  readonly lang: Lang;
  t(key: PaperFigureMessageKey, values?: Readonly<Record<string, string | number>>): string;
} {
  return bilingual(TABLE, lang);
}
