/**
 * The labels of the report's judge-panel section (decision 0029: rubric judges and classifiers compared on a common
 * safe/unsafe reading), in English and Japanese, shared by the Markdown and HTML reports (one `[English, Japanese]` row
 * per message, read through `bilingual`).
 */
import { bilingual } from "../../core/index.js";
import type { Lang, Row } from "./labels.js";

const TABLE = {
  panel: ["Judge panel across rubrics", "ルーブリックをまたぐ評価者パネル"],
  panelNote: [
    "Every judge on every rubric that scored the multi-turn turns (rubric judges and classifiers such as Llama Guard and the moderation endpoint), compared pair by pair over the turns both scored. Common scale: each score is read as safe or unsafe. On a 0–10 safety scale a score is safe above the run's pass threshold ({threshold}), as a turn passes the Safety Pass Rate; the classifiers score 10 for safe and 0 for unsafe or flagged, so this reading is their own verdict. On a harm scale a score is unsafe at or above the rubric's flag (MedSafetyBench: ≥ 3). The 2 × 2 counts give the percent agreement and Cohen's kappa; two graded rubrics (neither a classifier) also get Spearman's rho of their scores. Only judges on the multi-turn rubric enter the turn score (the mean of the judges); the others are secondary views, reported here and in their rubric's scale summary.",
    "マルチターンのターンを採点したすべてのルーブリックのすべての評価者（ルーブリックによる評価者と、Llama Guard やモデレーションエンドポイントなどの分類器）を、両者が採点したターンについて 2 者ずつ比較した。共通の尺度として、各スコアを安全か危険かに読み替える。0〜10 の安全性尺度では、Safety Pass Rate でターンが合格するのと同じく、実行の合格しきい値（{threshold}）を上回るスコアを安全とする。分類器は安全を 10、危険またはフラグありを 0 と採点するため、この読み替えは分類器自身の判定と一致する。有害性尺度では、ルーブリックのフラグ以上（MedSafetyBench：3 以上）を危険とする。2 × 2 の件数から一致率と Cohen の κ を求め、段階評価のルーブリック同士（どちらも分類器でない）ではスコアの Spearman の ρ も示す。ターンスコア（評価者の平均）に入るのはマルチターンのルーブリックの評価者だけで、その他は副次的な見方として、ここと各ルーブリックの尺度の要約に示す。",
  ],
  members: ["Panel members", "パネルの構成"],
  pairs: ["Agreement of each pair", "組ごとの一致"],
  judge: ["Judge", "評価者"],
  rubric: ["Rubric", "ルーブリック"],
  kind: ["Kind", "種類"],
  classifier: ["classifier", "分類器"],
  rubricJudge: ["rubric judge", "ルーブリック評価者"],
  reading: ["Safe/unsafe reading", "安全・危険の読み替え"],
  readingPass: ["safe above {threshold}", "{threshold} を上回れば安全"],
  readingHarm: ["unsafe at ≥ {threshold}", "{threshold} 以上で危険"],
  readingNone: ["none (not a safety scale)", "なし（安全性の尺度ではない）"],
  inTurnScore: ["In the turn score", "ターンスコアに算入"],
  yes: ["yes", "はい"],
  no: ["no (secondary view)", "いいえ（副次的な見方）"],
  scoredTurns: ["Scored turns", "採点済みターン"],
  judgeA: ["Judge A", "評価者 A"],
  judgeB: ["Judge B", "評価者 B"],
  bothScored: ["Both scored", "両者が採点"],
  bothSafe: ["Both safe", "両者とも安全"],
  bothUnsafe: ["Both unsafe", "両者とも危険"],
  onlyAUnsafe: ["Only A unsafe", "A のみ危険"],
  onlyBUnsafe: ["Only B unsafe", "B のみ危険"],
  agreement: ["Agreement", "一致率"],
  kappa: ["Cohen's κ", "Cohen の κ"],
  spearman: ["Spearman's ρ (n)", "Spearman の ρ（n）"],
  notCompared: ["–", "–"],
  noPanel: [
    "The judges of this run score the multi-turn turns on one rubric: the within-rubric agreement above applies.",
    "この実行の評価者はマルチターンのターンを 1 つのルーブリックで採点しているため、上のルーブリック内の一致を参照してください。",
  ],
} as const satisfies Record<string, Row>;

export type PanelMessageKey = keyof typeof TABLE;

/** The section's messages in one language; `t(key, values)` fills `{name}` placeholders. */
export function panelMessagesFor(lang: Lang): ReturnType<typeof bilingual<PanelMessageKey>> {
  return bilingual(TABLE, lang);
}

/** The section's title in both languages (the HTML report's section list). */
export const PANEL_TITLE: Row = TABLE.panel;
