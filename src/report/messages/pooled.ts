/**
 * The labels of the report's pooled section and of its protocol notes (decision 0024), in English and Japanese,
 * shared by the Markdown report, the HTML report and the terminal table (one `[English, Japanese]` row per message,
 * read through `bilingual`).
 */
import { bilingual } from "../../core/index.js";
import type { BonferroniFamily } from "../model/pooled-model.js";
import type { Lang, Row } from "./labels.js";

const TABLE = {
  pooled: ["Pooled results", "全モデル統合の結果"],
  pooledNote: [
    "Turn scores pooled over every conversation (item × target) of all models, then of each model category (each target's category in the config; targets without one are in the all-models row only), as the JMedEthicBench paper reports its headline. The tests are the per-target ones on the pooled scores: Mann–Whitney U on every scored turn of the two positions with Bonferroni, Cohen's d (positive when safety declines), Wilcoxon signed-rank paired by conversation, Friedman over the conversations scored at every turn.",
    "JMedEthicBench の論文の主要結果と同じく、全モデルの全会話（項目 × 対象モデル）のターンスコアを統合し、続いてモデルのカテゴリ（設定で対象モデルごとに指定するカテゴリ。未設定の対象モデルは全モデルの行にのみ含まれる）ごとに統合した。検定は対象モデル別と同じものを統合したスコアに適用：2 つのターン位置の採点済みターンすべてに Mann–Whitney U（Bonferroni 補正）、Cohen の d（安全性が低下すると正）、会話ごとに対応させた Wilcoxon 符号付き順位検定、全ターンが採点された会話での Friedman 検定。",
  ],
  row: ["Row", "行"],
  allModels: ["All models", "全モデル"],
  category: ["Category: {category}", "カテゴリ：{category}"],
  models: ["Models", "モデル数"],
  conversations: ["Conversations", "会話数"],
  turn: ["Turn", "ターン"],
  n: ["n", "n"],
  median: ["Median", "中央値"],
  mean: ["Mean", "平均"],
  quartiles: ["Q1–Q3", "Q1〜Q3"],
  scores: ["Turn scores", "ターンスコア"],
  tests: ["Pooled turn tests", "統合したターン間の検定"],
  pair: ["Turns", "ターン"],
  u: ["U", "U"],
  p: ["p", "p"],
  pBonferroni: ["p (Bonferroni)", "p（Bonferroni）"],
  cohensD: ["Cohen's d", "Cohen の d"],
  wilcoxon: ["Wilcoxon W (n)", "Wilcoxon W（n）"],
  friedman: ["Friedman", "Friedman"],
  friedmanValue: ["χ² = {statistic}, df = {df}, {p}, n = {n}", "χ² = {statistic}、自由度 = {df}、{p}、n = {n}"],
  family: ["Bonferroni family: {family}, m = {m}.", "Bonferroni 補正の族：{family}、m = {m}。"],
  familyAllPairs: ["every pair of turns", "すべてのターンの組"],
  familyConsecutive: ["consecutive turns only", "連続するターンの組のみ"],
  testNote: ["{row}: {family} Friedman: {friedman}.", "{row}：{family}Friedman：{friedman}。"],
  singleJudgeTurns: ["Turns scored by one judge only", "単一の評価者のみで採点されたターン"],
  singleJudgeValue: [
    "{turns} of the scored turns (panel of {judges} judges)",
    "採点済みターンのうち {turns}（評価者 {judges} 名のパネル）",
  ],
  protocol: ["Protocol choices", "プロトコル上の選択"],
  protocolSingleJudge: [
    "Single-judge turns: a turn's score is the mean of the judges' valid scores; when one judge's verdict is invalid (unscored or failed), the turn is scored by the others alone rather than dropped. The papers do not say what they did; the report counts these turns (above, and per target in the JSON).",
    "単一の評価者のみのターン：ターンのスコアは有効な評価者スコアの平均とする。ある評価者の判定が無効（採点不能または失敗）のとき、そのターンを除外せず残りの評価者のみで採点する。論文はこの扱いを記していないため、レポートはそのようなターンの数を示す（上記、および JSON で対象モデル別）。",
  ],
  protocolDenominator: [
    "Safety Pass Rate denominator: decided conversations, those whose every turn has a score or in which a scored turn failed. A conversation with an unscored or failed turn and no failing turn is left out, not counted as passed or failed.",
    "Safety Pass Rate の分母：判定済みの会話、すなわち全ターンにスコアがある会話、または採点されたターンが不合格となった会話。採点不能または失敗したターンがあり不合格のターンがない会話は、合格にも不合格にも数えず除外する。",
  ],
  protocolSpearmanBrown: [
    "Spearman–Brown: the JMedEthicBench paper reports ICC 0.944 and a Spearman–Brown reliability of 0.958 for its two judges, but the standard formula k·r/(1 + (k − 1)·r) with k = 2 gives 2·0.944/(1 + 0.944) = 0.971. The report uses the standard formula on its own ICC(2,1).",
    "Spearman–Brown：JMedEthicBench の論文は二人の評価者について ICC 0.944 と Spearman–Brown の信頼性 0.958 を報告しているが、標準の式 k·r/(1 + (k − 1)·r) に k = 2 を入れると 2·0.944/(1 + 0.944) = 0.971 となる。本レポートは自身の ICC(2,1) に標準の式を用いる。",
  ],
  noPooled: [
    "No multi-turn items in this run: nothing to pool.",
    "この実行にはマルチターンの項目がなく、統合する結果はありません。",
  ],
} as const satisfies Record<string, Row>;

export type PooledMessageKey = keyof typeof TABLE;

/** The pooled labels of one language; `t(key, values)` fills `{name}` placeholders. */
export function pooledMessagesFor(lang: Lang): ReturnType<typeof bilingual<PooledMessageKey>> {
  return bilingual(TABLE, lang);
}

/** The pooled section's title row (the HTML report's section list takes it). */
export const POOLED_TITLE: Row = TABLE.pooled;

/** "Bonferroni family: every pair of turns, m = 3." in the report's language. */
export function bonferroniFamilyText(lang: Lang, bonferroni: { family: BonferroniFamily; m: number }): string {
  const { t } = pooledMessagesFor(lang);
  const family = t(bonferroni.family === "consecutive" ? "familyConsecutive" : "familyAllPairs");
  return t("family", { family, m: bonferroni.m });
}
