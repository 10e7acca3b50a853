import type { z } from 'zod';
import type { EngineRules } from './engine-rules.ts';
import { AUDIENCE_TYPES, MATRIX_ROWS, STAGES, TRENDS, type MoneyThreshold } from './primitives.ts';
import type { Condition, ScaleRule, StageRules, TestingTier } from './stage-rules.ts';

type Path = (string | number)[];
type Report = (path: Path, message: string) => void;

function describeMoney(money: MoneyThreshold): string {
  return money.unit === 'targetCpa' ? `${money.value} x target CPA` : `${money.value} in account currency`;
}

function checkBuckets(rules: EngineRules, report: Report): void {
  const { buckets } = rules;
  if (buckets.averageAtLeast >= buckets.winnerAtLeast) {
    report(
      ['buckets', 'averageAtLeast'],
      `must be below buckets.winnerAtLeast (${buckets.winnerAtLeast}) so the buckets are ordered`,
    );
  }
  if (buckets.confidence.medium < 0.5) {
    report(
      ['buckets', 'confidence', 'medium'],
      'must be at least 0.5: below it the claim is more likely false',
    );
  }
  if (buckets.confidence.medium >= buckets.confidence.high) {
    report(
      ['buckets', 'confidence', 'medium'],
      `must be below buckets.confidence.high (${buckets.confidence.high})`,
    );
  }
  if (buckets.breakEven.averageMinProbability > buckets.breakEven.winnerMinProbability) {
    report(
      ['buckets', 'breakEven', 'averageMinProbability'],
      `must not exceed buckets.breakEven.winnerMinProbability (${buckets.breakEven.winnerMinProbability})`,
    );
  }
}

function checkScalePercent(
  rules: EngineRules,
  report: Report,
  path: Path,
  percent: number,
  direction: 'up' | 'down' | 'either',
): void {
  const up = rules.guardrails.maxScalePerAction.percent;
  const down = rules.guardrails.maxDecreasePerAction.percent;
  if (direction === 'up' && percent <= 0) report(path, 'must be positive in a scale-up rule');
  if (direction === 'down' && percent >= 0) report(path, 'must be negative in a scale-down rule');
  if (percent > up) {
    report(path, `must not exceed guardrails.maxScalePerAction.percent (${up}); the guardrail would cut it`);
  }
  if (percent < -down) {
    report(path, `must not cut more than guardrails.maxDecreasePerAction.percent (${down})`);
  }
}

function checkMatrix(rules: EngineRules, report: Report): void {
  for (const row of MATRIX_ROWS) {
    for (const trend of TRENDS) {
      const cell = rules.matrix[row][trend];
      if (cell.action === 'SCALE') {
        checkScalePercent(rules, report, ['matrix', row, trend, 'scalePercent'], cell.scalePercent, 'either');
      }
    }
  }
}

function checkConditions(conditions: readonly Condition[], report: Report, path: Path): void {
  conditions.forEach((condition, index) => {
    if (condition.eachDay && condition.days === 'lifetime') {
      report([...path, index, 'eachDay'], 'cannot be true with days: lifetime (give a number of days)');
    }
  });
}

function checkTiers(tiers: readonly TestingTier[], report: Report): void {
  const path: Path = ['stages', 'testing', 'tiers'];
  const last = tiers.length - 1;
  tiers.forEach((tier, index) => {
    if (tier.signal.kind === 'none' && index !== last) {
      report([...path, index, 'signal', 'kind'], 'the catch-all tier (none) must be the last');
    }
  });
  if (tiers[last]?.signal.kind !== 'none') {
    report([...path, last, 'signal', 'kind'], 'the last tier must be the catch-all (kind: none)');
  }
  const firstUnit = tiers[0]?.spendAllowance.unit;
  for (let i = 1; i < tiers.length; i++) {
    const tier = tiers[i];
    const previous = tiers[i - 1];
    if (tier === undefined || previous === undefined) continue;
    if (tier.spendAllowance.unit !== firstUnit) {
      report(
        [...path, i, 'spendAllowance', 'unit'],
        `must be ${firstUnit} like the first tier, so tiers can be ordered`,
      );
      continue;
    }
    if (tier.spendAllowance.value >= previous.spendAllowance.value) {
      report(
        [...path, i, 'spendAllowance', 'value'],
        `must be below the previous tier's (${previous.spendAllowance.value}): weaker signals get less spend`,
      );
    }
    const [a, b] = [previous.signal, tier.signal];
    if (a.kind === 'ctr' && b.kind === 'addsToCart') {
      report(
        [...path, i, 'signal', 'kind'],
        'add-to-cart tiers must come before CTR tiers (a cart is the stronger signal)',
      );
    }
    if (a.kind === 'addsToCart' && b.kind === 'addsToCart' && b.atLeast >= a.atLeast) {
      report([...path, i, 'signal', 'atLeast'], `must be below the previous tier's (${a.atLeast})`);
    }
    if (a.kind === 'ctr' && b.kind === 'ctr' && b.above >= a.above) {
      report([...path, i, 'signal', 'above'], `must be below the previous tier's (${a.above})`);
    }
  }
}

function checkStage(rules: EngineRules, stage: (typeof STAGES)[number], report: Report): void {
  const rulesOfStage: StageRules = rules.stages[stage];
  const base: Path = ['stages', stage];
  rulesOfStage.kill.forEach((rule, index) => {
    if (rule.kind === 'tierAllowance' && stage !== 'testing') {
      report(
        [...base, 'kill', index, 'kind'],
        'tierAllowance is only valid in the testing stage (which has the tiers)',
      );
    }
    if (rule.kind === 'conditions') checkConditions(rule.all, report, [...base, 'kill', index, 'all']);
  });
  rulesOfStage.advance.forEach((rule, index) => {
    if (rule.kind === 'conditions') checkConditions(rule.all, report, [...base, 'advance', index, 'all']);
  });
  if (stage === 'scaling' && rulesOfStage.advance.length > 0) {
    report([...base, 'advance'], 'must be empty: scaling is the last stage');
  }
  const scaleLists: ['scaleUp' | 'scaleDown', 'up' | 'down'][] = [
    ['scaleUp', 'up'],
    ['scaleDown', 'down'],
  ];
  for (const [list, direction] of scaleLists) {
    rulesOfStage[list].forEach((rule: ScaleRule, index) => {
      checkScalePercent(
        rules,
        report,
        [...base, list, index, 'changePercent'],
        rule.changePercent,
        direction,
      );
      checkConditions(rule.all, report, [...base, list, index, 'all']);
    });
  }
}

function checkRuleIds(rules: EngineRules, report: Report): void {
  const seen = new Map<string, string>();
  const visit = (id: string, path: Path): void => {
    const first = seen.get(id);
    if (first === undefined) seen.set(id, path.join('.'));
    else report([...path, 'id'], `duplicate rule id "${id}" (first used at ${first})`);
  };
  for (const stage of STAGES) {
    const stageRules: StageRules = rules.stages[stage];
    for (const list of ['kill', 'advance', 'scaleUp', 'scaleDown'] as const) {
      stageRules[list].forEach((rule, index) => visit(rule.id, ['stages', stage, list, index]));
    }
  }
  rules.stages.testing.tiers.forEach((tier, index) => visit(tier.id, ['stages', 'testing', 'tiers', index]));
}

function checkGuardrailAgreement(rules: EngineRules, report: Report): void {
  const { guardrails, noiseGate, hysteresis, allocation, audiences } = rules;
  const noPause = guardrails.noPauseBelowMinSpend;
  if (
    noiseGate.zeroConversion.enabled &&
    noPause.enabled &&
    noPause.minSpend.unit === 'targetCpa' &&
    noiseGate.zeroConversion.spendMultiple < noPause.minSpend.value
  ) {
    report(
      ['noiseGate', 'zeroConversion', 'spendMultiple'],
      `is below guardrails.noPauseBelowMinSpend.minSpend (${describeMoney(noPause.minSpend)}), so every zero-conversion pause would be blocked`,
    );
  }
  for (const audience of AUDIENCE_TYPES) {
    const cap = audiences[audience].maxScalePercent;
    if (cap !== null && cap > guardrails.maxScalePerAction.percent) {
      report(
        ['audiences', audience, 'maxScalePercent'],
        `is above guardrails.maxScalePerAction.percent (${guardrails.maxScalePerAction.percent}) and would never apply`,
      );
    }
  }
  if (new Set(hysteresis.actions).size !== hysteresis.actions.length) {
    report(['hysteresis', 'actions'], 'lists an action twice');
  }
  if (hysteresis.overwhelming.probability < rules.buckets.confidence.high) {
    report(
      ['hysteresis', 'overwhelming', 'probability'],
      `must be at least buckets.confidence.high (${rules.buckets.confidence.high}): overwhelming is beyond HIGH`,
    );
  }
  if (hysteresis.overwhelming.zeroConversionSpendMultiple <= noiseGate.zeroConversion.spendMultiple) {
    report(
      ['hysteresis', 'overwhelming', 'zeroConversionSpendMultiple'],
      `must be above noiseGate.zeroConversion.spendMultiple (${noiseGate.zeroConversion.spendMultiple})`,
    );
  }
  if (allocation.maxIncreasePercent > guardrails.maxScalePerAction.percent) {
    report(
      ['allocation', 'maxIncreasePercent'],
      `must not exceed guardrails.maxScalePerAction.percent (${guardrails.maxScalePerAction.percent})`,
    );
  }
  if (allocation.maxDecreasePercent > guardrails.maxDecreasePerAction.percent) {
    report(
      ['allocation', 'maxDecreasePercent'],
      `must not exceed guardrails.maxDecreasePerAction.percent (${guardrails.maxDecreasePerAction.percent})`,
    );
  }
}

function checkOrderedPairs(rules: EngineRules, report: Report): void {
  const { trend, fatigue } = rules;
  if (trend.minDays > trend.windowDays) {
    report(['trend', 'minDays'], `must not exceed trend.windowDays (${trend.windowDays})`);
  }
  if (fatigue.frequency.cold > fatigue.frequency.warm) {
    report(
      ['fatigue', 'frequency', 'cold'],
      `must not exceed fatigue.frequency.warm (${fatigue.frequency.warm})`,
    );
  }
  if (fatigue.ctrDropFromPeak.min >= fatigue.ctrDropFromPeak.strong) {
    report(
      ['fatigue', 'ctrDropFromPeak', 'min'],
      `must be below fatigue.ctrDropFromPeak.strong (${fatigue.ctrDropFromPeak.strong})`,
    );
  }
  if (fatigue.index.riskAt >= fatigue.index.refreshAt) {
    report(
      ['fatigue', 'index', 'riskAt'],
      `must be below fatigue.index.refreshAt (${fatigue.index.refreshAt})`,
    );
  }
}

/**
 * Cross-field checks run after the shape is valid: values that must agree with one another
 * (ordered buckets and tiers, scale percents within the guardrails, unique rule ids, ...).
 */
export function checkEngineRules(rules: EngineRules, context: z.RefinementCtx): void {
  const report: Report = (path, message) => context.addIssue({ code: 'custom', path, message });
  checkBuckets(rules, report);
  checkMatrix(rules, report);
  checkTiers(rules.stages.testing.tiers, report);
  for (const stage of STAGES) checkStage(rules, stage, report);
  checkRuleIds(rules, report);
  checkGuardrailAgreement(rules, report);
  checkOrderedPairs(rules, report);
}
