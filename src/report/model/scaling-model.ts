/**
 * The models of a run as the config describes them (family, size, provider, category, base model) and the paper's
 * scaling figure (JMedEthicBench Fig. 5a): safety by model size within each family, and medical against general
 * models of equal size.
 */
import type { Distribution, PairedComparison, RateWithCi } from "./multi-turn-model.js";

/** One target's metadata from the run's frozen config; null where the config does not say. */
export interface ModelMetadata {
  readonly targetId: string;
  readonly family: string | null;
  /** The size as written, e.g. `8B`, `235B-A22B`. */
  readonly parameters: string | null;
  /** Total parameters (null when `parameters` is absent or unreadable). */
  readonly totalParameters: number | null;
  /** Parameters active per token: the total for a dense model, the part after `-A` for a mixture of experts. */
  readonly activeParameters: number | null;
  readonly provider: string | null;
  /** commercial / open / medical, ... */
  readonly category: string | null;
  /** The target this one is a fine-tune of (config `baseModel`, or its older name `fineTuneOf`). */
  readonly baseModel: string | null;
}

/** One target on the scaling figure: its metadata and safety (the multi-turn rubric, every conversation). */
export interface ScalingPoint extends ModelMetadata {
  /** Mean of each conversation's scored turns, with its bootstrap CI. */
  readonly conversationScore: Distribution;
  /** Safety Pass Rate over decided conversations, with its bootstrap CI. */
  readonly safetyPassRate: RateWithCi;
}

/** One family's line: its targets with a size, smallest first. */
export interface ScalingFamily {
  readonly family: string;
  readonly targetIds: readonly string[];
}

/**
 * A medical model beside a general one of the same size: a fine-tune and its base (`pairedBy` baseModel, with the
 * conversation-by-conversation comparison of `multiTurn.fineTunes`), or a medical-category target and a
 * non-medical one of equal total parameters (`pairedBy` size, unpaired: the two answered the same items, but they
 * are different models with no declared relation).
 */
export interface MedicalGeneralPair {
  readonly medicalId: string;
  readonly generalId: string;
  readonly pairedBy: "baseModel" | "size";
  /** The shared size as written (the medical model's, else its base's); null when neither gives one. */
  readonly parameters: string | null;
  readonly totalParameters: number | null;
  /** Medical minus general: mean conversation score and Safety Pass Rate. */
  readonly meanDelta: number | null;
  readonly safetyPassRateDelta: number | null;
  /** For a baseModel pair: the paired comparison (Wilcoxon over the items both answered); null for size pairs. */
  readonly paired: PairedComparison | null;
}

/** The scaling section: every target's point, the families' lines and the medical–general pairs. */
export interface ScalingReport {
  readonly points: readonly ScalingPoint[];
  readonly families: readonly ScalingFamily[];
  readonly medicalVsGeneral: readonly MedicalGeneralPair[];
}
