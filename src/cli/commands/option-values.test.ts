import { describe, expect, it } from "vitest";
import { MEDSAFETYBENCH_REPOSITORY } from "../../datasets/index.js";
import { DEFAULT_SAFE_REPLY_THRESHOLDS } from "../../generation/index.js";
import { BUILTIN_CATALOGS } from "../../guidelines/index.js";
import { BONFERRONI_FAMILIES, DEFAULT_GROUP_BY, GROUPABLE_DIMENSIONS } from "../../report/index.js";
import { DEFAULT_SFT_FILTERS, SFT_FORMATS } from "../../training-data/index.js";
import * as options from "./option-values.js";

describe("option values copied for a fast start", () => {
  it("equal the domain values they stand for", () => {
    expect(options.GROUPABLE_DIMENSIONS).toEqual(GROUPABLE_DIMENSIONS);
    expect(options.DEFAULT_GROUP_BY).toEqual(DEFAULT_GROUP_BY);
    expect(options.BONFERRONI_FAMILIES).toEqual(BONFERRONI_FAMILIES);
    expect(options.SFT_FORMATS).toEqual(SFT_FORMATS);
    expect(options.DEFAULT_SFT_FILTERS).toEqual({
      minScore: DEFAULT_SFT_FILTERS.minScore,
      maxSafetyScore: DEFAULT_SFT_FILTERS.maxSafetyScore,
    });
    expect(options.DEFAULT_SAFE_REPLY_THRESHOLDS).toEqual(DEFAULT_SAFE_REPLY_THRESHOLDS);
    expect(options.BUILTIN_CATALOGS).toEqual(BUILTIN_CATALOGS);
    expect(options.MEDSAFETYBENCH_REPOSITORY).toBe(MEDSAFETYBENCH_REPOSITORY);
  });
});
