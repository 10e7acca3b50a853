import { toFixed } from '../metrics/fixed.ts';
import type { ModelRules } from '../rules/engine-rules.ts';
import { CONFIDENCE_LEVELS, type Confidence, type DecisionAction } from '../rules/primitives.ts';
import type { Reason } from './classify.ts';

/**
 * What the learning models say about one ad set, each prediction with the accuracy its model measured
 * on its holdout beside the naive baseline (last-7-day ROAS for the forecast, the base rate for the
 * probabilities). `version` names the model that made the prediction.
 */
export type ModelEvidence = {
  /** Next-7-day ROAS (attributed revenue / spend). */
  roasForecast?: { value: number; modelMae: number; baselineMae: number; version: string };
  /** At least one purchase in the next 3 days. */
  purchaseProbability?: { probability: number; brier: number; baseRateBrier: number; version: string };
  /** CTR down 20% or more from its peak within 7 days. */
  fatigueOnset?: { probability: number; brier: number; baseRateBrier: number; version: string };
};

/**
 * A model's skill over its naive baseline: 1 - its error / the baseline's (1 is perfect, 0 no better,
 * negative worse); null when either error is missing, negative or the baseline's is 0.
 */
export function modelSkill(error: number, baselineError: number): number | null {
  if (!Number.isFinite(error) || !Number.isFinite(baselineError) || error < 0 || baselineError <= 0)
    return null;
  return 1 - error / baselineError;
}

type Weighed = { skill: number; version: string; accuracy: string };
/** The predictions that count, each with its skill and its accuracy in words; why the others do not. */
export type UsableEvidence = {
  roasForecast: (Weighed & { value: number; mae: number }) | null;
  purchaseProbability: (Weighed & { probability: number }) | null;
  fatigueOnset: (Weighed & { probability: number }) | null;
  ignored: Reason[];
};

const pct = (share: number) => `${Math.round(share * 100)}%`;
const p2 = (value: number) => toFixed(value, 2);

/** Keeps the predictions of models with at least `minSkill` over their baseline and a valid value. */
export function usableEvidence(evidence: ModelEvidence | undefined, rules: ModelRules): UsableEvidence {
  const usable: UsableEvidence = {
    roasForecast: null,
    purchaseProbability: null,
    fatigueOnset: null,
    ignored: [],
  };
  if (!evidence) return usable;
  const judge = (
    ruleId: string,
    label: string,
    skill: number | null,
    valid: boolean,
    versus: string,
  ): number | null => {
    const why = !valid
      ? 'its prediction is not a valid number'
      : skill === null
        ? 'its accuracy was not measured'
        : skill < rules.minSkill
          ? `it is not enough better than ${versus} (skill ${pct(skill)}, at least ${pct(rules.minSkill)} needed)`
          : null;
    if (why === null) return skill;
    usable.ignored.push({
      ruleId: `model.${ruleId}.skill`,
      metric: 'model skill over its baseline',
      observed: skill === null ? null : Math.round(skill * 1000) / 1000,
      threshold: rules.minSkill,
      passed: false,
      text: `${label} ignored: ${why}`,
    });
    return null;
  };
  const roas = evidence.roasForecast;
  if (roas) {
    const skill = judge(
      'roasForecast',
      'ROAS forecast',
      modelSkill(roas.modelMae, roas.baselineMae),
      Number.isFinite(roas.value) && roas.value >= 0,
      'last-7-day ROAS',
    );
    if (skill !== null)
      usable.roasForecast = {
        value: roas.value,
        mae: roas.modelMae,
        skill,
        version: roas.version,
        accuracy: `model MAE ${p2(roas.modelMae)} vs ${p2(roas.baselineMae)} for last-7-day ROAS`,
      };
  }
  for (const [key, label] of [
    ['purchaseProbability', 'purchase probability'],
    ['fatigueOnset', 'fatigue-onset probability'],
  ] as const) {
    const item = evidence[key];
    if (!item) continue;
    const skill = judge(
      key,
      label,
      modelSkill(item.brier, item.baseRateBrier),
      Number.isFinite(item.probability) && item.probability >= 0 && item.probability <= 1,
      'the base rate',
    );
    if (skill !== null)
      usable[key] = {
        probability: item.probability,
        skill,
        version: item.version,
        accuracy: `Brier ${p2(item.brier)} vs ${p2(item.baseRateBrier)} base rate`,
      };
  }
  return usable;
}

/** The decision the models are read against, as the evidence left it before hysteresis and guardrails. */
export type ModelStepInput = {
  action: DecisionAction;
  scalePercent: number | null;
  confidence: Confidence;
  /** A Pause from the zero-conversion path: its claim is that purchases are not coming. */
  zeroConversion: boolean;
  targetRoas: number;
  breakEvenRoas: number;
};

export type ModelStepResult = { confidence: Confidence; reasons: Reason[]; risks: string[] };

type Direction = 'up' | 'down' | 'hold';

function directionOf(action: DecisionAction, scalePercent: number | null): Direction {
  if (action === 'PROMOTE' || (action === 'SCALE' && (scalePercent ?? 0) > 0)) return 'up';
  if (action === 'PAUSE' || (action === 'SCALE' && (scalePercent ?? 0) < 0)) return 'down';
  return 'hold';
}

function shift(confidence: Confidence, by: -1 | 1): Confidence {
  const index = CONFIDENCE_LEVELS.indexOf(confidence) + by;
  return CONFIDENCE_LEVELS[Math.min(CONFIDENCE_LEVELS.length - 1, Math.max(0, index))] ?? confidence;
}

/**
 * The model step of the engine (after fatigue, before hysteresis and the guardrails): each usable
 * model is read against the decision's claim (a budget increase: ROAS above target; a cut or pause:
 * below break-even; a zero-conversion pause: no purchase coming). A model that disagrees beyond its
 * own error adds a risk, with its number and accuracy, and lowers confidence one level; with none
 * disagreeing, a model of at least `strongAgreementSkill` agreeing by twice its error raises it one
 * level. Models never change the action, the budget or a guardrail: the caller keeps those.
 */
export function applyModelEvidence(
  evidence: ModelEvidence | undefined,
  input: ModelStepInput,
  rules: ModelRules,
): ModelStepResult {
  const usable = usableEvidence(evidence, rules);
  const reasons: Reason[] = [...usable.ignored];
  const risks: string[] = [];
  const disagree: string[] = [];
  const agree: string[] = [];
  const direction = directionOf(input.action, input.scalePercent);

  const roas = usable.roasForecast;
  if (roas) {
    const v = roas.value;
    const line = direction === 'up' ? input.targetRoas : input.breakEvenRoas;
    const lineName = direction === 'up' ? `the ${p2(line)} target` : `break-even ${p2(line)}`;
    const head = `forecast next-7-day ROAS ${p2(v)}`;
    const tail = ` (${roas.accuracy}, skill ${pct(roas.skill)})`;
    let passed = true;
    let text: string;
    if (direction === 'up') {
      passed = v + roas.mae >= line;
      if (!passed) disagree.push('the ROAS forecast');
      else if (v - 2 * roas.mae >= line && roas.skill >= rules.strongAgreementSkill)
        agree.push('the ROAS forecast');
      text = passed
        ? `${head} supports more budget: not below ${lineName} by more than its error${tail}`
        : `${head} is below ${lineName}${tail}`;
    } else if (direction === 'down') {
      passed = v - roas.mae <= line;
      if (!passed) disagree.push('the ROAS forecast');
      else if (v + 2 * roas.mae <= line && roas.skill >= rules.strongAgreementSkill)
        agree.push('the ROAS forecast');
      text = passed
        ? `${head} supports less budget: not above ${lineName} by more than its error${tail}`
        : `${head} is above ${lineName}: it may still make money${tail}`;
    } else {
      passed = v + roas.mae >= line;
      text = passed ? `${head}, against ${lineName}${tail}` : `${head} is below ${lineName}${tail}`;
    }
    if (!passed) risks.push(text);
    reasons.push({
      ruleId: 'model.roasForecast',
      metric: 'forecast next-7-day ROAS',
      observed: Math.round(v * 1000) / 1000,
      threshold: Math.round(line * 1000) / 1000,
      passed,
      text,
    });
  }

  const purchase = usable.purchaseProbability;
  if (purchase) {
    const p = purchase.probability;
    const tail = `model p = ${p2(p)} (${purchase.accuracy})`;
    let passed = true;
    let text = `a purchase in the next 3 days: ${tail}`;
    if (direction === 'up' && p < rules.purchaseUnlikelyBelow) {
      passed = false;
      text = `a purchase in the next 3 days is unlikely: ${tail}`;
      disagree.push('the purchase probability');
    } else if (input.zeroConversion && p >= 1 - rules.purchaseUnlikelyBelow) {
      passed = false;
      text = `a purchase is expected within 3 days: ${tail}`;
      disagree.push('the purchase probability');
    }
    if (!passed) risks.push(text);
    reasons.push({
      ruleId: 'model.purchaseProbability',
      metric: 'P(purchase in the next 3 days)',
      observed: Math.round(p * 1000) / 1000,
      threshold: input.zeroConversion ? 1 - rules.purchaseUnlikelyBelow : rules.purchaseUnlikelyBelow,
      passed,
      text,
    });
  }

  const fatigue = usable.fatigueOnset;
  if (fatigue) {
    const p = fatigue.probability;
    const expected = p >= rules.fatigueRiskProbability;
    const text = `fatigue ${expected ? 'expected' : 'not expected'} within 7 days: model p = ${p2(p)} (${fatigue.accuracy})`;
    if (expected) {
      risks.push(text);
      if (direction === 'up') disagree.push('the fatigue forecast');
    }
    reasons.push({
      ruleId: 'model.fatigueOnset',
      metric: 'P(fatigue onset within 7 days)',
      observed: Math.round(p * 1000) / 1000,
      threshold: rules.fatigueRiskProbability,
      passed: !(expected && direction === 'up'),
      text,
    });
  }

  let confidence = input.confidence;
  if (direction !== 'hold' && disagree.length > 0) {
    confidence = shift(input.confidence, -1);
    reasons.push({
      ruleId: 'model.confidence',
      metric: 'confidence',
      observed: null,
      threshold: null,
      passed: false,
      text:
        confidence === input.confidence
          ? `${disagree.join(' and ')} disagree${disagree.length === 1 ? 's' : ''}: confidence stays low`
          : `${disagree.join(' and ')} disagree${disagree.length === 1 ? 's' : ''}: confidence ${input.confidence.toLowerCase()} to ${confidence.toLowerCase()}`,
    });
  } else if (direction !== 'hold' && agree.length > 0) {
    confidence = shift(input.confidence, 1);
    if (confidence !== input.confidence)
      reasons.push({
        ruleId: 'model.confidence',
        metric: 'confidence',
        observed: null,
        threshold: null,
        passed: true,
        text: `${agree.join(' and ')} agree${agree.length === 1 ? 's' : ''} by more than twice its error: confidence ${input.confidence.toLowerCase()} to ${confidence.toLowerCase()}`,
      });
  }
  return { confidence, reasons, risks };
}

/** One ad set as the allocation reads it: its evidence and its expected ROAS at its current budget. */
export type AllocationModelInput = {
  evidence: ModelEvidence | undefined;
  /** The allocation's posterior expected average ROAS at the current budget. */
  averageRoas: number;
  /** Current daily budget (major units): the weight of the relative level. */
  budget: number;
};

/** A multiplier of the ad set's value in the allocation, and the reason when the models moved it. */
export type AllocationModelFactor = { factor: number; reason: Reason | null };

// A forecast far outside the posterior's reading moves the value at most this many times either way.
const MAX_FORECAST_RATIO = 10;

/**
 * How the models move each ad set's value in the allocation (rules `models.allocation`): its ROAS
 * reading moves toward the forecast by `forecastWeight` x the forecast's skill (in log terms; relative:
 * ratios are taken against their budget-weighted mean, so the forecast reorders ad sets and leaves
 * the account's level to the posterior), and fatigue onset discounts it by `fatigueDiscount` x p.
 * Factors of 1 (and no reason) for ad sets without usable evidence or with both switched off.
 */
export function allocationModelFactors(
  items: readonly AllocationModelInput[],
  rules: ModelRules,
): AllocationModelFactor[] {
  const settings = rules.allocation;
  const usable = items.map((item) => usableEvidence(item.evidence, rules));
  const logRatio = items.map((item, i) => {
    const forecast = usable[i]?.roasForecast;
    if (!forecast || settings.forecastWeight <= 0 || !(item.averageRoas > 0)) return null;
    const ratio = Math.max(forecast.value, 1e-9) / item.averageRoas;
    return Math.log(Math.min(MAX_FORECAST_RATIO, Math.max(1 / MAX_FORECAST_RATIO, ratio)));
  });
  let level = 0;
  if (settings.forecastLevel === 'relative') {
    let weight = 0;
    items.forEach((item, i) => {
      const r = logRatio[i];
      if (r === null || r === undefined) return;
      const w = Math.max(item.budget, 1e-9);
      level += w * r;
      weight += w;
    });
    level = weight > 0 ? level / weight : 0;
  }
  return items.map((item, i) => {
    const parts: string[] = [];
    let factor = 1;
    const r = logRatio[i];
    const forecast = usable[i]?.roasForecast;
    if (r !== null && r !== undefined && forecast) {
      const w = Math.min(1, settings.forecastWeight * forecast.skill);
      factor *= Math.exp(w * (r - level));
      parts.push(
        `forecast next-7-day ROAS ${p2(forecast.value)} against ${p2(item.averageRoas)} read from the history, weighted ${pct(w)}`,
      );
    }
    const fatigue = usable[i]?.fatigueOnset;
    if (fatigue && settings.fatigueDiscount > 0) {
      factor *= 1 - settings.fatigueDiscount * fatigue.probability;
      parts.push(`fatigue onset p = ${p2(fatigue.probability)}`);
    }
    if (parts.length === 0) return { factor: 1, reason: null };
    return {
      factor,
      reason: {
        ruleId: 'allocation.models',
        metric: 'value multiplier from the models',
        observed: Math.round(factor * 1000) / 1000,
        threshold: null,
        passed: true,
        text: `the models move this ad set's value x${p2(factor)}: ${parts.join('; ')}`,
      },
    };
  });
}
