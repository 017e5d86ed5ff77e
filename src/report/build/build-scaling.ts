import { parseParameterCount } from "../../analysis/index.js";
import type { ConversationGroup, MultiTurnStatistics } from "../model/multi-turn-model.js";
import type {
  MedicalGeneralPair,
  ModelMetadata,
  ScalingFamily,
  ScalingPoint,
  ScalingReport,
} from "../model/scaling-model.js";
import { baseModelOf, type TargetConfig } from "./turn-table.js";

/** The category that marks a medical model (compared case-insensitively). */
const MEDICAL = "medical";

/** Each target's metadata as the run's frozen config gives it, in the config's order. */
export function buildModelMetadata(targets: readonly TargetConfig[]): ModelMetadata[] {
  return targets.map((target) => {
    const size = target.parameters === undefined ? null : parseParameterCount(target.parameters);
    return {
      targetId: target.id,
      family: target.family ?? null,
      parameters: target.parameters ?? null,
      totalParameters: size?.total ?? null,
      activeParameters: size?.active ?? null,
      provider: target.provider ?? null,
      category: target.category ?? null,
      baseModel: baseModelOf(target),
    };
  });
}

/**
 * The scaling figure's data from the grouped section (each target's "all" group: no second pass over the turns):
 * every target's point, each family's targets by size, and medical models beside general ones of the same size.
 * Null without the grouped section.
 */
export function buildScaling(
  models: readonly ModelMetadata[],
  section: MultiTurnStatistics | null,
): ScalingReport | null {
  if (section === null) return null;
  const overall = new Map(
    section.groups
      .filter((group) => group.dimension === "all" && group.targetId !== null)
      .map((group) => [group.targetId ?? "", group]),
  );
  const points = models.flatMap((model): ScalingPoint[] => {
    const group = overall.get(model.targetId);
    return group === undefined
      ? []
      : [{ ...model, conversationScore: group.conversationScore, safetyPassRate: group.safetyPassRate }];
  });
  return { points, families: familiesOf(points), medicalVsGeneral: medicalVsGeneral(points, section, overall) };
}

/** Families in name order, each with its sized targets from the smallest (ties by id). */
function familiesOf(points: readonly ScalingPoint[]): ScalingFamily[] {
  const sized = points.filter((point) => point.family !== null && point.totalParameters !== null);
  const names = [...new Set(sized.map((point) => point.family ?? ""))].sort((a, b) => a.localeCompare(b, "en"));
  return names.map((family) => ({
    family,
    targetIds: sized
      .filter((point) => point.family === family)
      .sort((a, b) => (a.totalParameters ?? 0) - (b.totalParameters ?? 0) || a.targetId.localeCompare(b.targetId, "en"))
      .map((point) => point.targetId),
  }));
}

const isMedical = (point: ModelMetadata): boolean => point.category?.toLowerCase() === MEDICAL;

/**
 * First every fine-tune with its base (`baseModel`; the fine-tune on the medical side), then every medical-category
 * target beside each non-medical target of the same total parameters not already paired with it.
 */
function medicalVsGeneral(
  points: readonly ScalingPoint[],
  section: MultiTurnStatistics,
  overall: ReadonlyMap<string, ConversationGroup>,
): MedicalGeneralPair[] {
  const byId = new Map(points.map((point) => [point.targetId, point]));
  const pairs: MedicalGeneralPair[] = [];
  const paired = new Set<string>();
  const pair = (medical: ScalingPoint, general: ScalingPoint, pairedBy: MedicalGeneralPair["pairedBy"]): void => {
    paired.add(`${medical.targetId}\u0000${general.targetId}`);
    paired.add(`${general.targetId}\u0000${medical.targetId}`);
    const comparison = section.fineTunes.find(
      (entry) => entry.fineTunedId === medical.targetId && entry.baseId === general.targetId,
    );
    const medicalGroup = overall.get(medical.targetId);
    const generalGroup = overall.get(general.targetId);
    const parameters = medical.parameters ?? general.parameters;
    pairs.push({
      medicalId: medical.targetId,
      generalId: general.targetId,
      pairedBy,
      parameters,
      totalParameters: medical.totalParameters ?? general.totalParameters,
      meanDelta: difference(medicalGroup?.conversationScore.mean, generalGroup?.conversationScore.mean),
      safetyPassRateDelta: difference(medicalGroup?.safetyPassRate.rate, generalGroup?.safetyPassRate.rate),
      paired:
        pairedBy === "baseModel" && comparison !== undefined
          ? { n: comparison.n, meanDelta: comparison.meanDelta, wilcoxon: comparison.wilcoxon }
          : null,
    });
  };
  for (const point of points) {
    const base = point.baseModel === null ? undefined : byId.get(point.baseModel);
    if (base !== undefined) pair(point, base, "baseModel");
  }
  for (const medical of points.filter(isMedical)) {
    if (medical.totalParameters === null) continue;
    for (const general of points) {
      if (isMedical(general) || general.totalParameters !== medical.totalParameters) continue;
      if (paired.has(`${medical.targetId}\u0000${general.targetId}`)) continue;
      pair(medical, general, "size");
    }
  }
  return pairs;
}

function difference(a: number | null | undefined, b: number | null | undefined): number | null {
  return a === null || a === undefined || b === null || b === undefined ? null : a - b;
}
