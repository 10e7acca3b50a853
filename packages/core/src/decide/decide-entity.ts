import { toFixed } from '../metrics/fixed.ts';
import type { IsoDate } from '../metrics/window.ts';
import { DEFAULT_MODEL_RULES } from '../rules/defaults.ts';
import type { EngineRules } from '../rules/engine-rules.ts';
import type { Bucket, Confidence, DecisionAction, Trend } from '../rules/primitives.ts';
import type { PurchaseRatePrior } from '../stats/gamma-poisson.ts';
import {
  funnelRoasPosterior,
  NO_FUNNEL,
  type FunnelEvent,
  type FunnelRatio,
} from '../stats/funnel-evidence.ts';
import { completenessAt, type CompletenessCurve } from '../stats/lag.ts';
import {
  posteriorMeanRoas,
  probabilityRoasAbove,
  roasInterval,
  type OrderValuePrior,
} from '../stats/roas-posterior.ts';
import { modifierFor } from './audience.ts';
import { fatigueIndex } from './fatigue.ts';
import { evaluateStage } from './stages.ts';
import { classifyBucket, classifyTrend, confidenceOf, matrixCell, type Reason } from './classify.ts';
import { ageOn, computeFeatures, type DailyRow, type EntityFeatures } from './features.ts';
import { applyHysteresis, noiseGate } from './gates.ts';
import { applyModelEvidence, type ModelEvidence } from './model-evidence.ts';
import {
  applyGuardrails,
  type GuardrailCheck,
  type GuardrailMoney,
  type GuardrailState,
} from './guardrails.ts';

export type AudienceKind = 'broad' | 'interest' | 'lookalike' | 'retargeting' | 'unknown';

/** Everything known about one ad set (or ad) when deciding: plain data, read by the caller. */
export type EntityFacts = {
  entityId: string;
  level: 'adset' | 'ad';
  name: string;
  rows: readonly DailyRow[];
  audience: { type: AudienceKind; lookalikePercent: number | null };
  stage: 'testing' | 'validation' | 'scaling' | null;
  /** Whether it delivers now (its own and its parents' status); null when unknown (CSV imports). */
  status: 'active' | 'paused' | null;
  state: GuardrailState;
  /** Actions the earlier runs concluded for this entity, newest first (for hysteresis). */
  previousActions: readonly DecisionAction[];
  /** Hours since the entity entered its stage; unknown (null or absent) blocks a timed advance. */
  hoursInStage?: number | null;
  /** The learning models' predictions with their measured accuracy; absent when models are off. */
  models?: ModelEvidence;
};

/** The account-wide inputs: benchmarks, priors, targets and the lag curve. */
export type AccountContext = {
  asOf: IsoDate;
  curve: CompletenessCurve;
  /** Lag-corrected ROAS of the whole account over the judging window. */
  accountRoas: number;
  breakEvenRoas: number;
  /** The ROAS the account aims for (break-even times a safety multiple, or fixed). */
  targetRoas: number;
  targetCpa: number;
  /** Account CPM over the judging window (stage CPM ceilings relative to it); null without impressions. */
  accountCpm: number | null;
  /** Median spend of the account's entities over the fatigue window (the lookalike fatigue gate). */
  medianEntitySpend: number | null;
  ratePrior: PurchaseRatePrior;
  /** Funnel events read as purchase evidence (rules.funnelEvidence); absent = purchases only. */
  funnel?: { event: FunnelEvent; ratio: FunnelRatio };
  aovPrior: OrderValuePrior;
  money: GuardrailMoney;
};

export type Decision = {
  entityId: string;
  level: 'adset' | 'ad';
  name: string;
  action: DecisionAction;
  /**
   * What the evidence concluded before hysteresis and guardrails (a Scale held for confirmation is
   * still a Scale here): what the next run's hysteresis counts.
   */
  concludedAction: DecisionAction;
  scalePercent: number | null;
  newDailyBudgetMinor: bigint | null;
  appliesTo: 'adset' | 'campaign';
  confidence: Confidence;
  bucket: Bucket | null;
  trend: Trend | null;
  stage: EntityFacts['stage'];
  roas: { mean: number; lo: number; hi: number; probabilityAboveBreakEven: number };
  reasons: Reason[];
  risks: string[];
  guardrails: GuardrailCheck[];
  explanation: string;
};

// The window buckets are judged on: long enough for a few purchases, short enough to be current.
const JUDGING_WINDOW = '7d' as const;

/**
 * Decides one entity: noise gate, posterior, bucket, trend, matrix, audience modifiers, stages,
 * fatigue, the models' evidence (confidence and risks only), hysteresis, and the guardrails last.
 * Every check is kept as a reason; the explanation is built from them.
 */
export function decideEntity(
  facts: EntityFacts,
  account: AccountContext,
  rules: EngineRules,
  precomputed?: EntityFeatures,
): Decision {
  const features =
    precomputed ?? computeFeatures(facts.rows, account.asOf, account.curve, rules.trend.windowDays);
  const window = features.windows[JUDGING_WINDOW];
  const spend = Number(window.totals.spend) / 1e6;
  const posterior = funnelRoasPosterior(
    {
      purchases: window.totals.purchases,
      exposure: window.exposure,
      revenue: Number(window.totals.revenue) / 1e6,
      funnelEvents: account.funnel ? window.totals[account.funnel.event] : 0,
    },
    account.funnel?.ratio ?? NO_FUNNEL,
    account.ratePrior,
    account.aovPrior,
  );
  const interval = roasInterval(posterior, rules.buckets.credibleInterval);
  const probabilityAboveBreakEven = probabilityRoasAbove(posterior, account.breakEvenRoas);
  const roas = {
    mean: posteriorMeanRoas(posterior),
    lo: interval.lo,
    hi: interval.hi,
    probabilityAboveBreakEven,
  };
  const modifier = modifierFor(facts.audience, rules);
  const risks: string[] = [];
  const immature = countImmature(facts.rows, account.asOf, account.curve);
  if (immature > 0)
    risks.push(`the newest ${immature} day(s) are still collecting late conversions (lag-corrected)`);
  if (facts.state.learningStage === 'LEARNING') risks.push("in Meta's learning phase: results are unsettled");

  const gate = noiseGate(
    { spend, purchases: window.totals.purchases, ageDays: features.ageDays },
    account.targetCpa,
    rules.noiseGate,
  );
  const reasons: Reason[] = [...gate.reasons];
  let action: DecisionAction;
  let scalePercent: number | null = null;
  let confidence: Confidence;
  let bucket: Bucket | null = null;
  let trend: Trend | null = null;
  let isKill = false;
  // The probability of what the action claims (a winner for Scale, a loser for Pause): what
  // confidence and the hysteresis exception are judged on.
  let claim = 0;

  if (gate.kind === 'zeroConversionPause') {
    action = 'PAUSE';
    isKill = true;
    claim = 1 - probabilityAboveBreakEven;
    const raw = confidenceOf(claim, rules.buckets.confidence);
    confidence = raw === 'HIGH' ? gate.maxConfidence : raw;
  } else if (gate.kind === 'insufficient') {
    action = gate.action;
    confidence = 'LOW';
    risks.push('insufficient data to judge');
  } else {
    const bucketResult = classifyBucket(
      posterior,
      {
        accountRoas: account.accountRoas,
        breakEvenRoas: account.breakEvenRoas,
        thresholdMultiplier: modifier.roasThresholdMultiplier,
      },
      rules.buckets,
    );
    const trendResult = classifyTrend(features, rules.trend);
    bucket = bucketResult.bucket;
    trend = trendResult.trend;
    reasons.push(...bucketResult.reasons, ...trendResult.reasons);
    const hasEnoughSpend = spend >= account.money.noPauseBelowSpend;
    const cell = matrixCell(rules.matrix, bucket, trend, hasEnoughSpend);
    action = cell.action;
    scalePercent = cell.action === 'SCALE' ? cell.scalePercent : null;
    reasons.push({
      ruleId: `matrix.${bucket}.${trend}`,
      metric: 'decision matrix',
      observed: null,
      threshold: null,
      passed: true,
      text: cell.rationale,
    });
    if (action === 'SCALE' && scalePercent !== null && scalePercent > 0) {
      scalePercent += modifier.scalePointsDelta;
      if (modifier.maxScalePercent !== null) scalePercent = Math.min(scalePercent, modifier.maxScalePercent);
    }
    if (action === 'PAUSE' && rules.buckets.breakEven.enabled) {
      const line = account.breakEvenRoas * modifier.roasThresholdMultiplier;
      const stillPays = probabilityRoasAbove(posterior, line);
      const allowed = stillPays <= rules.buckets.breakEven.pauseMaxProbability;
      reasons.push({
        ruleId: 'bucket.breakEven.pause',
        metric: 'P(ROAS > break-even)',
        observed: Math.round(stillPays * 1000) / 1000,
        threshold: rules.buckets.breakEven.pauseMaxProbability,
        passed: allowed,
        text: allowed
          ? `only ${Math.round(stillPays * 100)}% likely to make money at ROAS ${toFixed(line, 2)}: pause`
          : `${Math.round(stillPays * 100)}% likely still above break-even (${toFixed(line, 2)}): trim its budget, do not pause`,
      });
      if (!allowed) action = 'HOLD';
    }
    if (action === 'PAUSE') {
      isKill = true;
      if (features.ageDays < modifier.minDaysBeforePause) {
        reasons.push({
          ruleId: `audience.${facts.audience.type}.minDaysBeforePause`,
          metric: 'days live',
          observed: features.ageDays,
          threshold: modifier.minDaysBeforePause,
          passed: false,
          text: `${facts.audience.type} audiences are not paused before day ${modifier.minDaysBeforePause}`,
        });
        action = 'HOLD';
      }
    }
    claim =
      action === 'SCALE'
        ? bucketResult.probabilities.winner
        : action === 'PAUSE'
          ? 1 - bucketResult.probabilities.averageOrBetter
          : Math.max(bucketResult.probabilities.averageOrBetter, 1 - bucketResult.probabilities.winner);
    confidence = confidenceOf(claim, rules.buckets.confidence);
  }

  if (facts.stage !== null && gate.kind !== 'zeroConversionPause') {
    const verdict = evaluateStage(
      {
        stage: facts.stage,
        rows: facts.rows,
        asOf: account.asOf,
        curve: account.curve,
        immatureBelow: rules.trend.immature.completenessBelow,
        hoursInStage: facts.hoursInStage ?? null,
      },
      rules.stages,
      {
        targetCpa: account.targetCpa,
        breakEvenRoas: account.breakEvenRoas,
        targetRoas: account.targetRoas,
        accountCpm: account.accountCpm,
        accountRoas: account.accountRoas,
      },
    );
    reasons.push(...verdict.reasons);
    // The stage's own rules are the buyer's explicit pipeline: they overrule the matrix when one fires.
    if (verdict.outcome === 'kill') {
      action = 'PAUSE';
      isKill = true;
      scalePercent = null;
      claim = Math.max(claim, 1 - probabilityAboveBreakEven);
      confidence = confidenceOf(claim, rules.buckets.confidence);
    } else if (verdict.outcome === 'advance') {
      action = 'PROMOTE';
      scalePercent = null;
    } else if (verdict.outcome === 'scaleUp' || verdict.outcome === 'scaleDown') {
      action = 'SCALE';
      scalePercent = verdict.changePercent;
    }
  }

  const fatigue = fatigueIndex(
    { rows: facts.rows, asOf: account.asOf, windowReach: null },
    rules.fatigue,
    modifier.fatigue,
    { medianEntitySpend: account.medianEntitySpend },
  );
  reasons.push(...fatigue.reasons);
  if (fatigue.risk !== null) risks.push(fatigue.risk);
  if (fatigue.level === 'refresh' && action === 'SCALE' && scalePercent !== null && scalePercent > 0) {
    reasons.push({
      ruleId: 'fatigue.noScale',
      metric: 'fatigue index',
      observed: fatigue.index,
      threshold: rules.fatigue.index.refreshAt,
      passed: false,
      text: 'creatives are wearing out: refresh them before adding budget',
    });
    action = 'HOLD';
    scalePercent = null;
  }

  // Models weigh in on confidence and risks only, before hysteresis and the guardrails have their say.
  if (facts.models) {
    const step = applyModelEvidence(
      facts.models,
      {
        action,
        scalePercent,
        confidence,
        zeroConversion: gate.kind === 'zeroConversionPause' && action === 'PAUSE',
        targetRoas: account.targetRoas,
        breakEvenRoas: account.breakEvenRoas,
      },
      rules.models ?? DEFAULT_MODEL_RULES,
    );
    confidence = step.confidence;
    reasons.push(...step.reasons);
    risks.push(...step.risks);
  }

  const concludedAction = action;
  const confirmed = applyHysteresis(
    action,
    facts.previousActions,
    {
      probability: claim,
      zeroConversionSpend: window.totals.purchases === 0 ? spend : null,
      targetCpa: account.targetCpa,
    },
    rules.hysteresis,
  );
  reasons.push(confirmed.reason);
  if (confirmed.action !== action) {
    action = confirmed.action;
    scalePercent = null;
  }

  const guarded = applyGuardrails(
    { action, scalePercent, isKill },
    facts.state,
    rules.guardrails,
    account.money,
  );
  const decision: Decision = {
    entityId: facts.entityId,
    level: facts.level,
    name: facts.name,
    action: guarded.action,
    concludedAction,
    scalePercent: guarded.scalePercent,
    newDailyBudgetMinor: guarded.newDailyBudgetMinor,
    appliesTo: guarded.appliesTo,
    confidence,
    bucket,
    trend,
    stage: facts.stage,
    roas,
    reasons,
    risks,
    guardrails: guarded.guardrails,
    explanation: '',
  };
  decision.explanation = explainDecision(decision);
  return decision;
}

/** Rows of complete days whose purchases are not all reported yet. */
function countImmature(rows: readonly DailyRow[], asOf: IsoDate, curve: CompletenessCurve): number {
  let count = 0;
  for (const row of rows) {
    const age = ageOn(row.date, asOf);
    if (age >= 0 && completenessAt(curve, age) < 1) count++;
  }
  return count;
}

const VERBS: Record<DecisionAction, string> = {
  SCALE: 'Scale',
  HOLD: 'Hold',
  PAUSE: 'Pause',
  RETEST: 'Retest',
  PROMOTE: 'Promote',
};

/** A deterministic plain-English account of a decision, from its own evidence. */
export function explainDecision(decision: Omit<Decision, 'explanation'>): string {
  const verb = VERBS[decision.action];
  const head =
    decision.action === 'SCALE' && decision.scalePercent !== null
      ? `${verb} ${decision.name} by ${decision.scalePercent >= 0 ? '+' : ''}${toFixed(decision.scalePercent, 1)}%`
      : `${verb} ${decision.name}`;
  const article = decision.trend && /^[aeiou]/.test(decision.trend) ? 'an' : 'a';
  const where =
    decision.bucket && decision.trend ? ` It is ${article} ${decision.trend} ${decision.bucket}` : '';
  const roas = ` ROAS about ${toFixed(decision.roas.mean, 2)} (${toFixed(decision.roas.lo, 2)} to ${toFixed(decision.roas.hi, 2)}), ${Math.round(decision.roas.probabilityAboveBreakEven * 100)}% likely above break-even.`;
  // Plain loops: this runs for every decision, and again for each one allocation changes.
  const blocked: string[] = [];
  for (const g of decision.guardrails) if (g.changed) blocked.push(g.text);
  // The zero-conversion path is an exception, not a gate to pass: its "does not apply" is no shortfall.
  const failed: string[] = [];
  for (const r of decision.reasons) {
    if (!r.passed && r.ruleId.startsWith('gate.') && !r.ruleId.startsWith('gate.zeroConversion'))
      failed.push(r.text);
  }
  let text = `${head} (${decision.confidence.toLowerCase()} confidence).${where ? `${where}.` : ''}${roas}`;
  if (failed.length > 0) text += ` Not enough data yet: ${failed.join('; ')}.`;
  if (blocked.length > 0) text += ` Guardrails: ${blocked.join('; ')}.`;
  if (decision.risks.length > 0) text += ` Risks: ${decision.risks.join('; ')}.`;
  return text;
}
