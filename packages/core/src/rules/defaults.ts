import type { EngineRules, ModelRules } from './engine-rules.ts';

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}

const MODEL_RULES: ModelRules = {
  minSkill: 0.05,
  strongAgreementSkill: 0.25,
  fatigueRiskProbability: 0.5,
  purchaseUnlikelyBelow: 0.5,
  allocation: { forecastWeight: 1, forecastLevel: 'relative', fatigueDiscount: 0.05 },
};

/**
 * The default engine configuration, frozen. `packages/app/rules/default-rules.yaml` is the same
 * object with a comment on every section and every matrix cell; a test keeps the two equal.
 * Money is in target-CPA multiples except Dean's testing tiers, which are in account currency.
 */
export const DEFAULT_RULES: EngineRules = deepFreeze({
  version: 1,
  targets: {
    breakEven: { from: 'margin', margin: 0.6 },
    targetRoas: { source: 'breakEven', multiple: 1.25 },
    targetCpa: { source: 'derived' },
  },
  noiseGate: {
    minSpend: { unit: 'targetCpa', value: 2 },
    minPurchases: 2,
    minAgeDays: 2,
    belowGateAction: 'HOLD',
    zeroConversion: { enabled: true, spendMultiple: 3, maxConfidence: 'MEDIUM' },
  },
  buckets: {
    winnerAtLeast: 1.2,
    averageAtLeast: 0.9,
    membershipProbability: 0.5,
    breakEven: {
      enabled: true,
      winnerMinProbability: 0.5,
      averageMinProbability: 0.2,
      pauseMaxProbability: 0.1,
    },
    confidence: { high: 0.9, medium: 0.75 },
    credibleInterval: 0.9,
  },
  trend: {
    windowDays: 7,
    minDays: 4,
    slope: { threshold: 0.05, measure: 'normalizedRoasPerDay' },
    volatileCpaCv: 0.3,
    spendAcceleration: 0.5,
    immature: { completenessBelow: 0.8, handling: 'correct', excludeToday: true },
  },
  matrix: {
    winner: {
      stable: {
        action: 'SCALE',
        scalePercent: 20,
        rationale: 'A steady winner: add budget in a step the learning phase tolerates.',
      },
      improving: {
        action: 'SCALE',
        scalePercent: 15,
        rationale: 'A winner still rising: scale, but less, since part of a recent rise is usually noise.',
      },
      declining: {
        action: 'HOLD',
        rationale: 'Still above the account but slipping: no new money into a decline, no pause of a winner.',
      },
      volatile: {
        action: 'HOLD',
        rationale: 'A winner on average but too erratic to size a budget change on.',
      },
    },
    average: {
      stable: {
        action: 'HOLD',
        rationale: 'At the account average: moving budget here would not raise the account return.',
      },
      improving: {
        action: 'HOLD',
        rationale: 'Average but rising: wait for it to prove itself a winner.',
      },
      declining: {
        action: 'PAUSE',
        rationale: 'Average and falling: it is on its way to losing, free the budget now.',
      },
      volatile: {
        action: 'HOLD',
        rationale: 'Average and erratic: no signal strong enough to act on either way.',
      },
    },
    loser: {
      stable: {
        action: 'PAUSE',
        rationale: 'Consistently below the account with enough spend to be sure.',
      },
      improving: {
        action: 'HOLD',
        rationale: 'Below the account but recovering: give it a run to confirm before pausing.',
      },
      declining: {
        action: 'PAUSE',
        rationale: 'Below the account and getting worse.',
      },
      volatile: {
        action: 'PAUSE',
        rationale: 'Below the account with enough spend; its swings do not change the average.',
      },
    },
    loserLowSpend: {
      stable: {
        action: 'HOLD',
        rationale: 'Looks like a loser but has spent too little to pause safely.',
      },
      improving: {
        action: 'HOLD',
        rationale: 'Too little spend to judge, and the trend is up.',
      },
      declining: {
        action: 'HOLD',
        rationale: 'Too little spend to pause; the zero-conversion path and the stage kills still apply.',
      },
      volatile: {
        action: 'HOLD',
        rationale: 'Too little spend and too noisy to judge.',
      },
    },
  },
  audiences: {
    broad: {
      roasThresholdMultiplier: 0.9,
      minDaysBeforePause: 5,
      pauseAfterDecliningDays: null,
      scalePointsDelta: 0,
      maxScalePercent: null,
      fatigue: { frequencyBand: 'cold', frequencyMultiplier: 1, spendMultipleOfMedian: null },
    },
    interest: {
      roasThresholdMultiplier: 1,
      minDaysBeforePause: 0,
      pauseAfterDecliningDays: 3,
      scalePointsDelta: 0,
      maxScalePercent: null,
      fatigue: { frequencyBand: 'cold', frequencyMultiplier: 1, spendMultipleOfMedian: null },
    },
    lookalike: {
      roasThresholdMultiplier: 1,
      minDaysBeforePause: 0,
      pauseAfterDecliningDays: null,
      scalePointsDelta: 5,
      maxScalePercent: null,
      fatigue: { frequencyBand: 'cold', frequencyMultiplier: 1, spendMultipleOfMedian: 2 },
      maxLookalikePercent: 1,
      widerLookalikesAs: 'broad',
    },
    retargeting: {
      roasThresholdMultiplier: 2,
      minDaysBeforePause: 0,
      pauseAfterDecliningDays: null,
      scalePointsDelta: 0,
      maxScalePercent: 15,
      fatigue: { frequencyBand: 'warm', frequencyMultiplier: 0.85, spendMultipleOfMedian: null },
    },
    unknown: {
      roasThresholdMultiplier: 1,
      minDaysBeforePause: 0,
      pauseAfterDecliningDays: null,
      scalePointsDelta: 0,
      maxScalePercent: null,
      fatigue: { frequencyBand: 'cold', frequencyMultiplier: 1, spendMultipleOfMedian: null },
    },
  },
  stages: {
    testing: {
      kill: [
        { id: 'testing.kill.tier-allowance', kind: 'tierAllowance' },
        {
          id: 'testing.kill.ctr-floor',
          kind: 'ctrBelow',
          ctr: 0.001,
          afterSpend: { unit: 'targetCpa', value: 1 },
        },
        {
          id: 'testing.kill.cpm-ceiling',
          kind: 'cpmAbove',
          cpm: { unit: 'accountCpm', value: 3 },
          afterSpend: { unit: 'targetCpa', value: 1 },
        },
      ],
      advance: [
        {
          id: 'testing.advance.purchase',
          kind: 'purchasesAtLeast',
          purchases: 1,
          cpaAtMost: { unit: 'targetCpa', value: 1.3 },
          roasAtLeast: null,
        },
        {
          id: 'testing.advance.carts',
          kind: 'addsToCartAtLeast',
          addsToCart: 3,
          afterSpend: { unit: 'targetCpa', value: 1 },
        },
        {
          id: 'testing.advance.ctr',
          kind: 'ctrAtLeast',
          ctr: 0.03,
          afterSpend: { unit: 'targetCpa', value: 1 },
        },
      ],
      scaleUp: [],
      scaleDown: [],
      minHoursBeforeAdvance: 0,
      tiers: [
        {
          id: 'testing.tier.1',
          signal: { kind: 'addsToCart', atLeast: 3 },
          spendAllowance: { unit: 'currency', value: 500 },
        },
        {
          id: 'testing.tier.2',
          signal: { kind: 'addsToCart', atLeast: 2 },
          spendAllowance: { unit: 'currency', value: 400 },
        },
        {
          id: 'testing.tier.3',
          signal: { kind: 'addsToCart', atLeast: 1 },
          spendAllowance: { unit: 'currency', value: 300 },
        },
        {
          id: 'testing.tier.4',
          signal: { kind: 'ctr', above: 0.02 },
          spendAllowance: { unit: 'currency', value: 250 },
        },
        {
          id: 'testing.tier.5',
          signal: { kind: 'ctr', above: 0.015 },
          spendAllowance: { unit: 'currency', value: 200 },
        },
        {
          id: 'testing.tier.6',
          signal: { kind: 'ctr', above: 0.01 },
          spendAllowance: { unit: 'currency', value: 160 },
        },
        { id: 'testing.tier.7', signal: { kind: 'none' }, spendAllowance: { unit: 'currency', value: 90 } },
      ],
    },
    validation: {
      kill: [
        {
          id: 'validation.kill.spend-no-purchase',
          kind: 'spendNoPurchase',
          spend: { unit: 'targetCpa', value: 3 },
        },
        {
          id: 'validation.kill.carts-no-purchase',
          kind: 'addToCartNoPurchase',
          addsToCart: 2,
          afterDays: 3,
        },
        {
          id: 'validation.kill.cpa-above',
          kind: 'cpaAbove',
          cpa: { unit: 'targetCpa', value: 1.5 },
          consecutiveDays: 3,
        },
      ],
      advance: [
        {
          id: 'validation.advance.purchases',
          kind: 'purchasesAtLeast',
          purchases: 2,
          cpaAtMost: { unit: 'targetCpa', value: 1 },
          roasAtLeast: { unit: 'breakEven', value: 1 },
        },
      ],
      scaleUp: [],
      scaleDown: [],
      minHoursBeforeAdvance: 24,
    },
    scaling: {
      kill: [
        {
          id: 'scaling.kill.cpa-above',
          kind: 'cpaAbove',
          cpa: { unit: 'targetCpa', value: 1.5 },
          consecutiveDays: 2,
        },
        {
          id: 'scaling.kill.roas-below',
          kind: 'roasBelow',
          roas: { unit: 'breakEven', value: 0.75 },
          consecutiveDays: 3,
        },
      ],
      advance: [],
      scaleUp: [
        {
          id: 'scaling.up.strong',
          all: [
            { metric: 'cpa', op: 'lte', value: { unit: 'targetCpa', value: 0.8 }, days: 7, eachDay: false },
            { metric: 'roas', op: 'gte', value: { unit: 'breakEven', value: 1.5 }, days: 7, eachDay: false },
          ],
          changePercent: 20,
        },
        {
          id: 'scaling.up.good',
          all: [
            { metric: 'cpa', op: 'lte', value: { unit: 'targetCpa', value: 1 }, days: 7, eachDay: false },
            { metric: 'roas', op: 'gte', value: { unit: 'breakEven', value: 1.2 }, days: 7, eachDay: false },
          ],
          changePercent: 10,
        },
      ],
      scaleDown: [
        {
          id: 'scaling.down.cpa',
          all: [
            { metric: 'cpa', op: 'gt', value: { unit: 'targetCpa', value: 1.2 }, days: 2, eachDay: true },
          ],
          changePercent: -20,
        },
      ],
      minHoursBeforeAdvance: 0,
    },
  },
  fatigue: {
    frequency: { cold: 3, warm: 6 },
    ctrDropFromPeak: { min: 0.2, strong: 0.4, days: 3 },
    cpmInflation: { rise: 0.2, baselineDays: 7 },
    index: { riskAt: 0.5, refreshAt: 0.8 },
  },
  guardrails: {
    maxScalePerAction: { percent: 25 },
    maxDecreasePerAction: { percent: 30 },
    maxDailyIncrease: { adSetPercent: 25, adSetAmount: { unit: 'targetCpa', value: 5 }, accountPercent: 20 },
    cooldownHours: 48,
    noPauseBelowMinSpend: { enabled: true, minSpend: { unit: 'targetCpa', value: 3 } },
    learningPhaseLock: { enabled: true, allowKills: true },
    maxBudgetChangesPerHour: 4,
    minDailyBudget: { unit: 'currency', value: 1 },
    campaignBudget: { routeTo: 'campaign' },
    killSwitch: {
      enabled: true,
      maxDailyLoss: { unit: 'targetCpa', value: 10 },
      roasFloor: { roas: { unit: 'breakEven', value: 0.5 }, days: 3 },
      spendSpike: { ratio: 2.5, trailingDays: 7 },
      onTrip: 'freezeScaling',
    },
  },
  hysteresis: {
    consecutiveRuns: 2,
    actions: ['SCALE', 'PAUSE'],
    overwhelming: { probability: 0.99, zeroConversionSpendMultiple: 6 },
  },
  allocation: {
    enabled: true,
    method: 'waterFilling',
    maxIncreasePercent: 20,
    maxDecreasePercent: 20,
    minChangePercent: 5,
    halfSaturationShare: 2,
    saturationExponent: 1,
    lookbackDays: 28,
    halfLifeDays: 10,
    minAccountPurchases: 40,
    evidenceBand: 0.5,
    unspentEvidenceBand: 1,
    leaveUnspentBelowTarget: true,
    cutBeforePauseAt: 0.5,
  },
  models: MODEL_RULES,
  funnelEvidence: { event: 'addsToCart', maxWeight: 1 },
});

/** How models enter decisions when the rules in force predate the `models` section (frozen with the rest). */
export const DEFAULT_MODEL_RULES: ModelRules = MODEL_RULES;
