/**
 * The judge-panel section's tables as text cells (decision 0029), shared by the Markdown and HTML reports: each output
 * renders them its own way, numbers through its own `num` (so "–" for a missing value), a statistic that is not
 * available as "n/a (reason)".
 */
import type { Lang } from "../messages/labels.js";
import { notAvailableCell } from "../messages/not-available.js";
import { type PanelMessageKey, panelMessagesFor } from "../messages/panel-agreement.js";
import type { NotAvailableFields } from "../model/not-available-model.js";
import type { PanelAgreement, PanelMember } from "../model/panel-agreement-model.js";

type T = (key: PanelMessageKey, values?: Readonly<Record<string, string | number>>) => string;

export interface PanelTextTable {
  readonly head: readonly string[];
  readonly rows: ReadonlyArray<readonly string[]>;
}

/** How an output writes a number with some digits after the point ("–" for none). */
export type PanelNumber = (value: number | null | undefined, digits?: number) => string;

/** One line per member: judge, rubric, kind, its safe/unsafe reading, whether it is in the turn score, turns scored. */
export function panelMembersTable(panel: PanelAgreement, lang: Lang, num: PanelNumber): PanelTextTable {
  const { t } = panelMessagesFor(lang);
  return {
    head: [t("judge"), t("rubric"), t("kind"), t("reading"), t("inTurnScore"), t("scoredTurns")],
    rows: panel.members.map((member) => [
      member.judgeId,
      member.rubricId,
      t(member.classifier ? "classifier" : "rubricJudge"),
      readingText(member, t, num),
      t(member.inTurnScore ? "yes" : "no"),
      String(member.scoredTurns),
    ]),
  };
}

/**
 * One line per pair: the two members (`judge (rubric)`), the turns both scored, the 2 × 2 counts, percent agreement,
 * Cohen's kappa and Spearman's rho with its n.
 */
export function panelPairsTable(panel: PanelAgreement, lang: Lang, num: PanelNumber): PanelTextTable {
  const { t } = panelMessagesFor(lang);
  const name = (index: number): string => {
    const member = panel.members[index];
    return member === undefined ? "" : `${member.judgeId} (${member.rubricId})`;
  };
  const none = t("notCompared");
  return {
    head: [
      t("judgeA"),
      t("judgeB"),
      t("bothScored"),
      t("bothSafe"),
      t("bothUnsafe"),
      t("onlyAUnsafe"),
      t("onlyBUnsafe"),
      t("agreement"),
      t("kappa"),
      t("spearman"),
    ],
    rows: panel.pairs.map((pair) => {
      const binary = pair.binary;
      const rank = pair.rank;
      return [
        name(pair.first),
        name(pair.second),
        String(pair.bothScored),
        binary === null ? none : String(binary.bothSafe),
        binary === null ? none : String(binary.bothUnsafe),
        binary === null ? none : String(binary.firstOnlyUnsafe),
        binary === null ? none : String(binary.secondOnlyUnsafe),
        binary === null || binary.percentAgreement === null ? none : `${num(binary.percentAgreement * 100, 1)}%`,
        binary === null ? none : statistic(binary.kappa, binary.notAvailable, "kappa", lang, num),
        rank === null ? none : `${statistic(rank.spearman, rank.notAvailable, "spearman", lang, num)} (${rank.n})`,
      ];
    }),
  };
}

function readingText(member: PanelMember, t: T, num: PanelNumber): string {
  const threshold = num(member.threshold, Number.isInteger(member.threshold) ? 0 : 1);
  if (member.reading === "pass-threshold") return t("readingPass", { threshold });
  if (member.reading === "harm-flag") return t("readingHarm", { threshold });
  return t("readingNone");
}

function statistic<Field extends string>(
  value: number | null,
  reasons: NotAvailableFields<Field> | undefined,
  field: Field,
  lang: Lang,
  num: PanelNumber,
): string {
  if (value !== null) return num(value, 3);
  const reason = reasons?.[field];
  return reason === undefined ? num(null) : notAvailableCell(reason.code, lang);
}
