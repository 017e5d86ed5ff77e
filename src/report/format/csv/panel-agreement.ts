import type { NotAvailableFields } from "../../model/not-available-model.js";
import type { PanelAgreement } from "../../model/panel-agreement-model.js";

/** A CSV report row as format-csv.ts writes it (the same keys). */
export interface PanelCsvRow {
  readonly section: string;
  readonly rubric?: string;
  readonly dimension?: string;
  readonly group?: string;
  readonly metric: string;
  readonly value: number | null;
  readonly note?: string;
}

/**
 * The judge panel across rubrics (decision 0029) as CSV rows. Section `panel_member`: rubric = the member's rubric,
 * dimension `judge`, group = the judge; metrics `in_turn_score` (1 or 0), `classifier` (1 or 0), `threshold` (with the
 * reading, `pass-threshold`, `harm-flag` or `none`, in `note`) and `scored_turns`. Section `panel_agreement`: rubric
 * `<rubric A> vs <rubric B>`, dimension `pair`, group `<judge A> (<rubric A>) vs <judge B> (<rubric B>)`; metrics
 * `both_scored`, and when both read safe/unsafe `both_safe`, `both_unsafe`, `first_only_unsafe`,
 * `second_only_unsafe`, `percent_agreement` (a share, 0–1) and `kappa`; when both are graded `spearman` and `spearman_n`.
 * A statistic that is not available has an empty value and its reason in `note`.
 */
export function panelAgreementCsvRows(panel: PanelAgreement | undefined): PanelCsvRow[] {
  if (panel === undefined) return [];
  const rows: PanelCsvRow[] = [];
  for (const member of panel.members) {
    const keys = { section: "panel_member", rubric: member.rubricId, dimension: "judge", group: member.judgeId };
    rows.push(
      { ...keys, metric: "in_turn_score", value: member.inTurnScore ? 1 : 0 },
      { ...keys, metric: "classifier", value: member.classifier ? 1 : 0 },
      { ...keys, metric: "threshold", value: member.threshold, note: `reading: ${member.reading}` },
      { ...keys, metric: "scored_turns", value: member.scoredTurns },
    );
  }
  for (const pair of panel.pairs) {
    const first = panel.members[pair.first];
    const second = panel.members[pair.second];
    if (first === undefined || second === undefined) continue;
    const keys = {
      section: "panel_agreement",
      rubric: `${first.rubricId} vs ${second.rubricId}`,
      dimension: "pair",
      group: `${first.judgeId} (${first.rubricId}) vs ${second.judgeId} (${second.rubricId})`,
    };
    rows.push({ ...keys, metric: "both_scored", value: pair.bothScored });
    if (pair.binary !== null) {
      const { binary } = pair;
      rows.push(
        { ...keys, metric: "both_safe", value: binary.bothSafe },
        { ...keys, metric: "both_unsafe", value: binary.bothUnsafe },
        { ...keys, metric: "first_only_unsafe", value: binary.firstOnlyUnsafe },
        { ...keys, metric: "second_only_unsafe", value: binary.secondOnlyUnsafe },
        { ...keys, metric: "percent_agreement", value: binary.percentAgreement },
        { ...keys, metric: "kappa", value: binary.kappa, ...reason(binary.notAvailable, "kappa") },
      );
    }
    if (pair.rank !== null) {
      const { rank } = pair;
      rows.push(
        { ...keys, metric: "spearman", value: rank.spearman, ...reason(rank.notAvailable, "spearman") },
        { ...keys, metric: "spearman_n", value: rank.n },
      );
    }
  }
  return rows;
}

function reason<Field extends string>(fields: NotAvailableFields<Field> | undefined, field: Field): { note?: string } {
  const entry = fields?.[field];
  return entry === undefined ? {} : { note: `not available (${entry.code}): ${entry.reason}` };
}
