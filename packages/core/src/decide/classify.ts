import type { BucketRules, DecisionMatrix, MatrixCell, TrendRules } from '../rules/engine-rules.ts';
import type { Bucket, Confidence, Trend } from '../rules/primitives.ts';
import { probabilityRoasAbove, type RoasPosterior } from '../stats/roas-posterior.ts';
import type { EntityFeatures } from './features.ts';

/**
 * One check behind a decision, kept whether or not it passed, so a Hold can say why it is not a
 * Scale. `observed` and `threshold` are in the metric's own units.
 */
export type Reason = {
  ruleId: string;
  metric: string;
  observed: number | null;
  threshold: number | null;
  passed: boolean;
  text: string;
};

export type BucketResult = {
  bucket: Bucket;
  /** P(ROAS > the Winner line), P(ROAS > the Average line), P(ROAS > break-even). */
  probabilities: { winner: number; averageOrBetter: number; aboveBreakEven: number };
  reasons: Reason[];
};

const round = (value: number, digits = 3) => Math.round(value * 10 ** digits) / 10 ** digits;
const pct = (p: number) => `${Math.round(p * 100)}%`;

/**
 * Winner / Average / Loser against the account's ROAS, judged on the posterior: a bucket needs the
 * configured probability on its side of the line. Then the break-even check, so that in an account
 * where everything loses money nothing is called a Winner.
 * `thresholdMultiplier` is the audience modifier (broad: 0.9).
 */
export function classifyBucket(
  posterior: RoasPosterior,
  context: { accountRoas: number; breakEvenRoas: number; thresholdMultiplier?: number },
  rules: BucketRules,
): BucketResult {
  const multiplier = context.thresholdMultiplier ?? 1;
  const winnerLine = context.accountRoas * rules.winnerAtLeast * multiplier;
  const averageLine = context.accountRoas * rules.averageAtLeast * multiplier;
  const probabilities = {
    winner: probabilityRoasAbove(posterior, winnerLine),
    averageOrBetter: probabilityRoasAbove(posterior, averageLine),
    aboveBreakEven: probabilityRoasAbove(posterior, context.breakEvenRoas),
  };
  const m = rules.membershipProbability;
  const reasons: Reason[] = [
    {
      ruleId: 'bucket.winner',
      metric: 'P(ROAS > winner line)',
      observed: round(probabilities.winner),
      threshold: m,
      passed: probabilities.winner >= m,
      text: `P(ROAS > ${round(winnerLine, 2)}, ${rules.winnerAtLeast}x the account's ${round(context.accountRoas, 2)}) is ${pct(probabilities.winner)}`,
    },
    {
      ruleId: 'bucket.average',
      metric: 'P(ROAS > average line)',
      observed: round(probabilities.averageOrBetter),
      threshold: m,
      passed: probabilities.averageOrBetter >= m,
      text: `P(ROAS > ${round(averageLine, 2)}, ${rules.averageAtLeast}x the account's) is ${pct(probabilities.averageOrBetter)}`,
    },
  ];
  let bucket: Bucket =
    probabilities.winner >= m ? 'winner' : probabilities.averageOrBetter >= m ? 'average' : 'loser';
  if (rules.breakEven.enabled) {
    const winnerOk = probabilities.aboveBreakEven >= rules.breakEven.winnerMinProbability;
    const averageOk = probabilities.aboveBreakEven >= rules.breakEven.averageMinProbability;
    reasons.push({
      ruleId: 'bucket.breakEven',
      metric: 'P(ROAS > break-even)',
      observed: round(probabilities.aboveBreakEven),
      threshold:
        bucket === 'winner' ? rules.breakEven.winnerMinProbability : rules.breakEven.averageMinProbability,
      passed: bucket === 'winner' ? winnerOk : averageOk,
      text: `P(ROAS > break-even ${round(context.breakEvenRoas, 2)}) is ${pct(probabilities.aboveBreakEven)}`,
    });
    if (bucket === 'winner' && !winnerOk) bucket = averageOk ? 'average' : 'loser';
    else if (bucket === 'average' && !averageOk) bucket = 'loser';
  }
  return { bucket, probabilities, reasons };
}

/** HIGH / MEDIUM / LOW from the posterior probability of the claim an action rests on. */
export function confidenceOf(probability: number, thresholds: BucketRules['confidence']): Confidence {
  if (probability >= thresholds.high) return 'HIGH';
  if (probability >= thresholds.medium) return 'MEDIUM';
  return 'LOW';
}

export type TrendResult = { trend: Trend; reasons: Reason[] };

/**
 * Stable / Improving / Declining / Volatile from the lag-corrected features: erratic CPA or a spend
 * surge make it Volatile (a ROAS move may be the budget's doing); otherwise the slope decides.
 */
export function classifyTrend(features: EntityFeatures, rules: TrendRules): TrendResult {
  if (features.trendDays < rules.minDays) {
    return {
      trend: 'stable',
      reasons: [
        {
          ruleId: 'trend.minDays',
          metric: 'days with spend',
          observed: features.trendDays,
          threshold: rules.minDays,
          passed: false,
          text: `only ${features.trendDays} day(s) with spend in the trend window: no trend claimed`,
        },
      ],
    };
  }
  const slope =
    features.roasSlope === null
      ? null
      : rules.slope.measure === 'normalizedRoasPerDay'
        ? features.roasSlope
        : features.roasSlope * (features.trendRoas ?? 0);
  const cv = features.cpaVolatility;
  const surge = features.spendAcceleration;
  const reasons: Reason[] = [
    {
      ruleId: 'trend.volatileCpa',
      metric: 'CPA coefficient of variation',
      observed: cv === null ? null : round(cv),
      threshold: rules.volatileCpaCv,
      passed: cv !== null && cv > rules.volatileCpaCv,
      text:
        cv === null
          ? 'too few days with purchases to judge CPA volatility'
          : `daily CPA varies by ${pct(cv)}`,
    },
    {
      ruleId: 'trend.spendAcceleration',
      metric: 'spend acceleration',
      observed: surge === null ? null : round(surge),
      threshold: rules.spendAcceleration,
      passed: surge !== null && surge > rules.spendAcceleration,
      text:
        surge === null
          ? 'no earlier spend to compare with'
          : `spend of the last 3 days is ${surge >= 0 ? '+' : ''}${pct(surge)} on the 4 before`,
    },
    {
      ruleId: 'trend.slope',
      metric:
        rules.slope.measure === 'normalizedRoasPerDay'
          ? 'ROAS change per day (relative)'
          : 'ROAS change per day',
      observed: slope === null ? null : round(slope, 4),
      threshold: rules.slope.threshold,
      passed: slope !== null && Math.abs(slope) >= rules.slope.threshold,
      text:
        slope === null
          ? 'too little spend to fit a trend'
          : `lag-corrected ROAS moves ${slope >= 0 ? '+' : ''}${round(slope * (rules.slope.measure === 'normalizedRoasPerDay' ? 100 : 1), 1)}${rules.slope.measure === 'normalizedRoasPerDay' ? '%' : ''} a day`,
    },
  ];
  let trend: Trend = 'stable';
  if (reasons[0]?.passed || reasons[1]?.passed) trend = 'volatile';
  else if (slope !== null && slope >= rules.slope.threshold) trend = 'improving';
  else if (slope !== null && slope <= -rules.slope.threshold) trend = 'declining';
  return { trend, reasons };
}

/** The matrix cell for a bucket and trend; a Loser that has not spent enough to judge reads the low-spend row. */
export function matrixCell(
  matrix: DecisionMatrix,
  bucket: Bucket,
  trend: Trend,
  hasEnoughSpend: boolean,
): MatrixCell {
  const row = bucket === 'loser' && !hasEnoughSpend ? matrix.loserLowSpend : matrix[bucket];
  return row[trend];
}
