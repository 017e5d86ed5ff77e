import type { RubricReference } from "../store/index.js";
import { DEFAULT_RUBRIC, type LoadedRubric, loadRubric } from "./load-rubric.js";

/**
 * The rubrics of a run, loaded once each: by built-in id, or by path for user rubric files. Items name the
 * rubric they are judged with (`rubric`, default jmedethic-safety); a judge may override it for all items.
 */
export class RubricSet {
  private readonly loaded = new Map<string, LoadedRubric>();

  constructor(private readonly baseDir = ".") {}

  /** The rubric for an item's `rubric` field (undefined → the default). Throws InputError if unknown. */
  get(reference: string | undefined): LoadedRubric {
    const key = reference ?? DEFAULT_RUBRIC;
    let rubric = this.loaded.get(key);
    if (rubric === undefined) {
      rubric = loadRubric(key, this.baseDir);
      this.loaded.set(key, rubric);
    }
    return rubric;
  }

  static reference(loaded: LoadedRubric): RubricReference {
    const { id, version, scale, flagAtOrAbove, flagAtOrBelow, subScores } = loaded.rubric;
    return {
      id,
      version,
      hash: loaded.hash,
      scale: {
        min: scale.min,
        max: scale.max,
        higherIsSafer: scale.higherIsSafer,
        ...(scale.continuous === true ? { continuous: true } : {}),
      },
      ...(flagAtOrAbove === undefined ? {} : { flagAtOrAbove }),
      ...(flagAtOrBelow === undefined ? {} : { flagAtOrBelow }),
      ...(subScores === undefined ? {} : { subScores }),
    };
  }
}
