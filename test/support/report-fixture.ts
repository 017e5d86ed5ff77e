import type {
  ConversationGroup,
  Distribution,
  GroupTurn,
  MultiTurnStatistics,
  PooledResults,
  RunReport,
  TargetSummary,
} from "../../src/report/index.js";

/**
 * Hand-made reports for the formatter tests: small, every section filled, values chosen so each printed number can
 * be checked by eye. One target id holds a comma, quotes and a line break, one strategy is Japanese, so CSV quoting
 * and Markdown escaping are exercised.
 */
export const TRICKY_TARGET = 'weak, "quoted"\nmodel|x';

/** The pooled section (decision 0024): all models, and the category "general" (the tricky target). */
const POOLED: PooledResults = {
  rows: [
    {
      scope: "all",
      category: null,
      targets: ["safe", TRICKY_TARGET],
      conversations: 6,
      turns: [
        { turn: 0, n: 6, mean: 9.25, median: 9.5, q1: 9, q3: 10 },
        { turn: 1, n: 5, mean: 6.4, median: 6.5, q1: 5.75, q3: 7 },
      ],
      turnTests: {
        bonferroni: { family: "consecutive", m: 1 },
        pairs: [
          {
            from: 0,
            to: 1,
            mannWhitney: { u: 29.5, pValue: 0.0004, pBonferroni: 0.0004 },
            cohensD: 0.75,
            wilcoxon: { statistic: 0, pValue: 0.03, n: 5 },
          },
        ],
        friedman: null,
      },
      singleJudgeTurns: 1,
    },
    {
      scope: "category",
      category: "general",
      targets: [TRICKY_TARGET],
      conversations: 3,
      turns: [
        { turn: 0, n: 3, mean: 8, median: 8, q1: null, q3: null },
        { turn: 1, n: 2, mean: 5, median: 5, q1: null, q3: null },
      ],
      turnTests: {
        bonferroni: { family: "consecutive", m: 0 },
        pairs: [{ from: 0, to: 1, mannWhitney: null, cohensD: 0.24, wilcoxon: null }],
        friedman: null,
      },
      singleJudgeTurns: 1,
    },
  ],
  judges: 2,
  singleJudgeTurns: [
    { targetId: "safe", turns: 0 },
    { targetId: TRICKY_TARGET, turns: 1 },
  ],
};

function distribution(n: number, mean: number | null, extra: Partial<Distribution> = {}): Distribution {
  return { n, mean, median: mean, q1: null, q3: null, iqr: null, ciLow: null, ciHigh: null, ...extra };
}

function turn(index: number, values: Partial<GroupTurn> & { n: number; mean: number | null }): GroupTurn {
  const { n, mean, ...rest } = values;
  return { ...distribution(n, mean), turn: index, unscored: 0, errors: 0, notReached: 0, decline: null, ...rest };
}

function target(
  targetId: string,
  turns: TargetSummary["turns"],
  pass: { complete: number; passed: number },
  extra: Partial<TargetSummary> = {},
): TargetSummary {
  return {
    targetId,
    conversations: 3,
    completeConversations: pass.complete,
    passedConversations: pass.passed,
    safetyPassRate: pass.complete === 0 ? null : pass.passed / pass.complete,
    turns,
    unscoredTurns: turns.reduce((sum, row) => sum + row.unscored, 0),
    errorTurns: turns.reduce((sum, row) => sum + row.errors, 0),
    judgments: { scored: 10, unscored: 1, errors: 0 },
    turnTests: {
      bonferroni: { family: "all-pairs", m: 1 },
      pairs: [
        {
          from: 0,
          to: 1,
          mannWhitney: { u: 9, pValue: 0.04, pBonferroni: 0.04 },
          cohensD: 1.25,
          wilcoxon: { statistic: 0, pValue: 0.25, n: 3 },
        },
      ],
      friedman: null,
    },
    ...extra,
  };
}

const SAFE_TURNS: TargetSummary["turns"] = [
  { turn: 0, scored: 3, mean: 9.5, median: 9.5, unscored: 0, errors: 0, notReached: 0 },
  { turn: 1, scored: 2, mean: 8, median: 8, unscored: 0, errors: 1, notReached: 0 },
];
const WEAK_TURNS: TargetSummary["turns"] = [
  { turn: 0, scored: 3, mean: 8, median: 8, unscored: 0, errors: 0, notReached: 0 },
  { turn: 1, scored: 2, mean: 2.5, median: 2.5, unscored: 1, errors: 0, notReached: 0 },
];

function group(
  targetId: string | null,
  dimension: ConversationGroup["dimension"],
  key: string,
  values: {
    conversations: number;
    score: Distribution;
    allTurns: Distribution;
    turns: readonly GroupTurn[];
    pass: { n: number; count: number; ciLow: number | null; ciHigh: number | null };
    survival?: ConversationGroup["survival"];
  },
): ConversationGroup {
  return {
    targetId,
    dimension,
    group: key,
    conversations: values.conversations,
    conversationScore: values.score,
    allTurns: { ...values.allTurns, unscored: 0, errors: 0 },
    turns: values.turns,
    safetyPassRate: {
      n: values.pass.n,
      count: values.pass.count,
      rate: values.pass.n === 0 ? null : values.pass.count / values.pass.n,
      ciLow: values.pass.ciLow,
      ciHigh: values.pass.ciHigh,
    },
    survival: values.survival ?? [],
  };
}

const MULTI_TURN: MultiTurnStatistics = {
  passThreshold: 2,
  bootstrap: { resamples: 2000, seed: 1, confidence: 0.95 },
  groups: [
    group("safe", "all", "all", {
      conversations: 3,
      score: distribution(3, 8.9, { median: 9, q1: 8.75, q3: 9.25, iqr: 0.5, ciLow: 8.5, ciHigh: 9.25 }),
      allTurns: distribution(5, 8.9, { median: 9.5, q1: 8, q3: 9.5, iqr: 1.5, ciLow: 8.3, ciHigh: 9.5 }),
      turns: [
        turn(0, { n: 3, mean: 9.5, median: 9.5, q1: 9.5, q3: 9.5, iqr: 0, ciLow: 9.5, ciHigh: 9.5 }),
        turn(1, {
          n: 2,
          mean: 8,
          median: 8,
          q1: 8,
          q3: 8,
          iqr: 0,
          ciLow: 8,
          ciHigh: 8,
          errors: 1,
          decline: { n: 2, mean: -1.5, ciLow: -1.5, ciHigh: -1.5 },
        }),
      ],
      pass: { n: 2, count: 2, ciLow: 1, ciHigh: 1 },
      survival: [
        { turn: 0, atRisk: 3, failed: 0, censored: 0, survival: 1 },
        { turn: 1, atRisk: 3, failed: 0, censored: 1, survival: 1 },
      ],
    }),
    group(TRICKY_TARGET, "all", "all", {
      conversations: 3,
      score: distribution(3, 5.5, { median: 5.5, q1: 5.25, q3: 5.75, iqr: 0.5, ciLow: 5, ciHigh: 6 }),
      allTurns: distribution(5, 5.8, { median: 8, q1: 3, q3: 8, iqr: 5, ciLow: 3.6, ciHigh: 7.6 }),
      turns: [
        turn(0, { n: 3, mean: 8, median: 8, q1: 8, q3: 8, iqr: 0, ciLow: 8, ciHigh: 8 }),
        turn(1, {
          n: 2,
          mean: 2.5,
          median: 2.5,
          q1: 1.75,
          q3: 3.25,
          iqr: 1.5,
          ciLow: 1,
          ciHigh: 4,
          unscored: 1,
          decline: { n: 2, mean: -5.5, ciLow: -7, ciHigh: -4 },
        }),
      ],
      pass: { n: 3, count: 1, ciLow: 0, ciHigh: 1 },
      survival: [
        { turn: 0, atRisk: 3, failed: 0, censored: 0, survival: 1 },
        { turn: 1, atRisk: 3, failed: 2, censored: 0, survival: 1 / 3 },
      ],
    }),
    group("safe", "strategy", "権威付け", {
      conversations: 2,
      score: distribution(2, 9, { ciLow: 8.5, ciHigh: 9.5 }),
      allTurns: distribution(4, 9),
      turns: [],
      pass: { n: 2, count: 2, ciLow: 1, ciHigh: 1 },
    }),
    group(TRICKY_TARGET, "strategy", "権威付け", {
      conversations: 2,
      score: distribution(2, 5, { ciLow: 4, ciHigh: 6 }),
      allTurns: distribution(4, 5.5),
      turns: [],
      pass: { n: 2, count: 0, ciLow: 0, ciHigh: 0 },
    }),
    group("safe", "strategy", "decomposition", {
      conversations: 1,
      score: distribution(1, 8.75),
      allTurns: distribution(1, 8.75),
      turns: [],
      pass: { n: 0, count: 0, ciLow: null, ciHigh: null },
    }),
    group(null, "category", "general", {
      conversations: 6,
      score: distribution(6, 7.2, { ciLow: 5.9, ciHigh: 8.4 }),
      allTurns: distribution(10, 7.35),
      turns: [],
      pass: { n: 5, count: 3, ciLow: 0.2, ciHigh: 1 },
    }),
  ],
  comparisons: [
    {
      by: "target",
      kruskalWallis: { statistic: 3.857, degreesOfFreedom: 1, pValue: 0.0495 },
      pairs: [
        {
          a: "safe",
          b: TRICKY_TARGET,
          nA: 3,
          nB: 3,
          meanDelta: { n: 6, mean: 3.4, ciLow: 2.5, ciHigh: 4.25 },
          u: 9,
          pValue: 0.0000123,
          pHolm: 0.0000123,
        },
      ],
    },
  ],
  fineTunes: [
    {
      fineTunedId: "safe",
      baseId: TRICKY_TARGET,
      n: 3,
      meanDelta: { n: 3, mean: 3.4, ciLow: 2.5, ciHigh: 4.25 },
      wilcoxon: { statistic: 0, pValue: 0.25, n: 3 },
    },
  ],
  crossLingual: {
    targets: [
      {
        targetId: "safe",
        n: 1,
        meanJa: 8.75,
        meanEn: 9,
        meanDelta: { n: 1, mean: -0.25, ciLow: null, ciHigh: null },
        wilcoxon: null,
      },
    ],
    rankingSpearman: { rho: null, n: 2 },
  },
};

/** Calls of one slice with their money: `unpriced` of `calls` have no price (costUsd null when all). */
function costs(
  calls: number,
  unpriced: number,
  costUsd: number | null,
  tokens: { input: number; cached?: number; cacheWrite?: number; output: number; batched?: number },
): RunReport["costs"]["total"] {
  return {
    calls,
    pricedCalls: calls - unpriced,
    unpricedCalls: unpriced,
    costUsd,
    inputTokens: tokens.input,
    cachedInputTokens: tokens.cached ?? 0,
    cacheWriteTokens: tokens.cacheWrite ?? 0,
    outputTokens: tokens.output,
    batchedCalls: tokens.batched ?? 0,
  };
}

/**
 * Costs: "safe" fully priced; TRICKY_TARGET's turns partly priced; judge-a priced and batched with cached input,
 * judge-b unpriced on TRICKY_TARGET's turns; no attacker calls.
 */
export const FIXTURE_COSTS: RunReport["costs"] = {
  total: costs(36, 8, 0.0394, { input: 7560, cached: 2460, cacheWrite: 200, output: 300, batched: 12 }),
  byRole: {
    target: costs(12, 2, 0.016, { input: 360, cached: 60, output: 180 }),
    judge: costs(24, 6, 0.0234, { input: 7200, cached: 2400, cacheWrite: 200, output: 120, batched: 12 }),
    attacker: costs(0, 0, null, { input: 0, output: 0 }),
  },
  byTarget: [
    { targetId: "safe", ...costs(6, 0, 0.012, { input: 180, cached: 60, output: 90 }) },
    { targetId: TRICKY_TARGET, ...costs(6, 2, 0.004, { input: 180, output: 90 }) },
  ],
  byJudge: [
    {
      judgeId: "judge-a",
      ...costs(12, 0, 0.0174, { input: 3600, cached: 2400, cacheWrite: 200, output: 60, batched: 12 }),
    },
    { judgeId: "judge-b", ...costs(12, 6, 0.006, { input: 3600, output: 60 }) },
  ],
  conversations: [
    {
      targetId: "safe",
      distribution: {
        conversations: 2,
        priced: 2,
        unpriced: 0,
        mean: 0.014,
        median: 0.014,
        p90: 0.0152,
        max: 0.0155,
        total: 0.028,
      },
      itemIds: ["item-a", "item-b"],
      costUsd: [0.0125, 0.0155],
      calls: [9, 9],
      unpricedCalls: [0, 0],
    },
    {
      targetId: TRICKY_TARGET,
      distribution: {
        conversations: 3,
        priced: 0,
        unpriced: 3,
        mean: null,
        median: null,
        p90: null,
        max: null,
        total: null,
      },
      itemIds: ["item-a", "item-b", "item-c"],
      costUsd: [0.0038, 0.0038, null],
      calls: [6, 6, 6],
      unpricedCalls: [2, 2, 6],
    },
  ],
};

/** A full report: every section has data. */
export function fixtureReport(): RunReport {
  return {
    contentWarning: "Content warning: fixture.",
    run: {
      id: "20260101-000000-abcdef",
      status: "success",
      createdAt: "2026-01-01T00:00:00.000Z",
      finishedAt: "2026-01-01T00:05:00.000Z",
      datasetSource: "/data/bench_v1.jsonl",
      datasetHash: "0123456789abcdef0123",
      configHash: "fedcba9876543210fedc",
      rubrics: [
        { id: "jmedethic-safety", version: "1.0.0", hash: "h1", scale: { min: 0, max: 10, higherIsSafer: true } },
        {
          id: "medsafetybench-harm",
          version: "1.0.0",
          hash: "h2",
          scale: { min: 1, max: 5, higherIsSafer: false },
          flagAtOrAbove: 3,
        },
      ],
      packageVersion: "0.1.0",
      usage: { targetCalls: 12, judgeCalls: 24, cachedCalls: 2, inputTokens: 360, outputTokens: 180 },
    },
    passThreshold: 2,
    targets: [
      target("safe", SAFE_TURNS, { complete: 2, passed: 2 }),
      target(
        TRICKY_TARGET,
        WEAK_TURNS,
        { complete: 3, passed: 1 },
        {
          turnTests: {
            bonferroni: { family: "all-pairs", m: 0 },
            pairs: [{ from: 0, to: 1, mannWhitney: null, cohensD: null, wilcoxon: null }],
            friedman: { statistic: 4, degreesOfFreedom: 2, pValue: 0.1353, n: 2 },
          },
        },
      ),
    ],
    multiTurn: MULTI_TURN,
    pooled: POOLED,
    judges: [
      { judgeId: "judge-a", rubricId: "jmedethic-safety", scored: 10, unscored: 0, errors: 0, mean: 7.1 },
      { judgeId: "judge-b", rubricId: "jmedethic-safety", scored: 9, unscored: 1, errors: 0, mean: 6.5 },
    ],
    judgePairs: [
      {
        judges: ["judge-a", "judge-b"],
        rubricId: "jmedethic-safety",
        threshold: 3,
        n: 9,
        meanAbsoluteDifference: 1,
        disagreements: 1,
      },
    ],
    scales: [
      {
        rubric: {
          id: "medsafetybench-harm",
          version: "1.0.0",
          hash: "h2",
          scale: { min: 1, max: 5, higherIsSafer: false },
          flagAtOrAbove: 3,
        },
        targets: [
          {
            key: "safe",
            n: 4,
            mean: 1,
            sem: 0,
            median: 1,
            flaggedShare: 0,
            unscoredTurns: 0,
            judgeErrors: 0,
            bySource: [{ key: "gpt4", n: 4, mean: 1, sem: 0, median: 1, flaggedShare: 0 }],
            byGuideline: [{ key: "ama-1", n: 4, mean: 1, sem: 0, median: 1, flaggedShare: 0 }],
            labelShares: {},
          },
          {
            key: TRICKY_TARGET,
            n: 4,
            mean: 4,
            sem: 0.25,
            median: 4,
            flaggedShare: 1,
            unscoredTurns: 1,
            judgeErrors: 0,
            bySource: [{ key: "gpt4", n: 4, mean: 4, sem: 0.25, median: 4, flaggedShare: 1 }],
            byGuideline: [{ key: "ama-1", n: 4, mean: 4, sem: 0.25, median: 4, flaggedShare: 1 }],
            labelShares: { comply: 0.75, refuse: 0.25 },
          },
        ],
        medicalVsGeneral: [
          {
            medical: "safe",
            general: TRICKY_TARGET,
            meanDifference: -3,
            u: 0,
            pValue: 0.0286,
            pBonferroni: 0.0286,
            method: "exact",
          },
        ],
      },
    ],
    tradeoff: [
      {
        targetId: "safe",
        language: "en",
        safety: 8.9,
        harmfulness: 1,
        overRefusal: 0.5,
        helpfulness: 4,
        refusedLabel: 0.5,
        safetyPassRate: { n: 3, count: 1, rate: 1 / 3, ciLow: 0, ciHigh: 1 },
        counts: { safety: 5, harmfulness: 4, helpfulness: 2 },
      },
      {
        targetId: TRICKY_TARGET,
        language: "en",
        safety: 5.8,
        harmfulness: 4,
        overRefusal: 0,
        helpfulness: 9,
        refusedLabel: null,
        safetyPassRate: null,
        counts: { safety: 5, harmfulness: 4, helpfulness: 2 },
      },
    ],
    agreement: [
      {
        rubricId: "jmedethic-safety",
        judges: ["judge-a", "judge-b"],
        completeTurns: 9,
        incompleteTurns: 1,
        icc21: 0.9444,
        meanReliability: 0.9714,
        krippendorffAlpha: 0.95,
        pairs: [{ judges: ["judge-a", "judge-b"], n: 9, kappa: 0.9 }],
        byGroup: [
          {
            dimension: "language",
            group: "ja",
            completeTurns: 3,
            icc21: 0.8,
            meanReliability: 0.8889,
            krippendorffAlpha: null,
          },
        ],
        largestDisagreements: [
          {
            targetId: TRICKY_TARGET,
            itemId: "item-c",
            turnIndex: 1,
            language: "en",
            strategy: "decomposition",
            scores: { "judge-a": 5, "judge-b": 1 },
            spread: 4,
          },
        ],
      },
    ],
    costs: FIXTURE_COSTS,
  };
}

/** The same run without the grouped section and without agreement details (what reports held before them). */
export function fixtureReportWithoutMultiTurn(): RunReport {
  const report = fixtureReport();
  return {
    ...report,
    multiTurn: null,
    agreement: report.agreement.map((entry) => ({ ...entry, byGroup: [], largestDisagreements: [] })),
  };
}
