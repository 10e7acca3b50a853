import { addTotals, emptyTotals, type MetricTotals } from '../metrics/totals.ts';
import type { IsoDate } from '../metrics/window.ts';
import { formatMicros, MICROS_PER_UNIT, minorUnitsToMicros } from '../money/money.ts';
import type { EngineRules } from '../rules/engine-rules.ts';
import { resolveTargets, type ResolvedTargets } from '../rules/thresholds.ts';
import { guardrailMoneyFor } from './guardrail-money.ts';
import { FUNNEL_EVENT_LABELS, fitFunnelPrior } from '../stats/funnel-evidence.ts';
import { DEFAULT_COMPLETENESS, type CompletenessCurve } from '../stats/lag.ts';
import { orderValuePriorFromAccount } from '../stats/roas-posterior.ts';
import { allocatePortfolio, type AllocationResult } from './allocate.ts';
import { decideEntity, type AccountContext, type Decision, type EntityFacts } from './decide-entity.ts';
import { ageOn, computeFeatures, type EntityFeatures } from './features.ts';

/** Everything one account run decides on: plain data read by the caller (database, CSV or simulator). */
export type AccountInput = {
  /** The account's current date (its timezone); rows on or after it are still running. */
  asOf: IsoDate;
  /** Digits of the currency's minor unit (2 for USD, 0 for JPY). */
  minorDigits: number;
  /** The account's learned completeness curve; the default curve when it has too little history. */
  curve?: CompletenessCurve;
  /**
   * The daily budget the portfolio may spend, in minor units; null to keep the sum of the current
   * ad set budgets. Allocation runs only when every ad set's budget is known.
   */
  totalDailyBudgetMinor: bigint | null;
  /** Meta's minimum daily budget for the account (min_daily_budget), in minor units; null when unknown. */
  metaMinDailyBudgetMinor: bigint | null;
  entities: readonly EntityFacts[];
};

export type AccountDecisions = {
  asOf: IsoDate;
  targets: ResolvedTargets;
  /** Lag-corrected ROAS of the account over the judging window; null without spend. */
  accountRoas: number | null;
  decisions: Decision[];
  allocation: AllocationResult | null;
  /** What the run could not do and why (no purchases yet, budgets unknown, ...), in plain words. */
  notes: string[];
};

// The window targets (AOV) are read from: long enough to hold purchases in a small account.
const TARGET_WINDOW = '30d' as const;
const JUDGING_WINDOW = '7d' as const;
// Ad sets of one shop sell much the same basket: their mean order values differ by about 15-30%, not 65%.
const AD_SET_ORDER_VALUE_SPREAD = 0.3;

const toMajor = (micros: bigint) => Number(micros) / Number(MICROS_PER_UNIT);

/**
 * Decides every entity of one account: the account's targets, priors and benchmarks from its own
 * data, each entity through `decideEntity`, then the portfolio allocation of the daily budget on the
 * posterior. Guardrails stay last for every entity: allocation only proposes, `decideEntity` disposes.
 */
export function decideAccount(input: AccountInput, rules: EngineRules): AccountDecisions {
  const curve = input.curve ?? DEFAULT_COMPLETENESS;
  const notes: string[] = [];
  const features = new Map<string, EntityFeatures>();
  for (const entity of input.entities)
    features.set(entity.entityId, computeFeatures(entity.rows, input.asOf, curve, rules.trend.windowDays));

  const adSets = input.entities.filter((e) => e.level === 'adset');
  const judged = adSets.length > 0 ? adSets : input.entities;
  let longTotals: MetricTotals = emptyTotals();
  let judgedRevenue = 0;
  let judgedExposure = 0;
  let judgedSpend = 0;
  let judgedImpressions = 0;
  for (const entity of judged) {
    const f = features.get(entity.entityId);
    if (!f) continue;
    longTotals = addTotals(longTotals, f.windows[TARGET_WINDOW].totals);
    judgedRevenue += toMajor(f.windows[JUDGING_WINDOW].totals.revenue);
    judgedExposure += f.windows[JUDGING_WINDOW].exposure;
    judgedSpend += toMajor(f.windows[JUDGING_WINDOW].totals.spend);
    judgedImpressions += f.windows[JUDGING_WINDOW].totals.impressions;
  }
  const aov = longTotals.purchases > 0 ? toMajor(longTotals.revenue) / longTotals.purchases : null;
  const targets = resolveTargets(rules.targets, { aov });
  const accountRoas = judgedExposure > 0 ? judgedRevenue / judgedExposure : null;

  if (
    targets.targetCpa === null ||
    targets.breakEvenRoas === null ||
    targets.targetRoas === null ||
    aov === null ||
    accountRoas === null
  ) {
    notes.push(
      aov === null
        ? 'no purchases in the last 30 days: the target CPA and order value cannot be derived, so nothing is judged'
        : 'the break-even ROAS cannot be derived from the targets: nothing is judged',
    );
    return { asOf: input.asOf, targets, accountRoas, decisions: [], allocation: null, notes };
  }
  const targetCpa = targets.targetCpa;
  // Where purchases are few, add-to-carts (or checkouts) inform each purchase rate as well.
  const funnelRules = rules.funnelEvidence;
  const judgedEvidence = judged.map((e) => {
    const window = features.get(e.entityId)?.windows[JUDGING_WINDOW];
    return {
      purchases: window?.totals.purchases ?? 0,
      funnelEvents: window && funnelRules ? window.totals[funnelRules.event] : 0,
      exposure: window?.exposure ?? 0,
    };
  });
  const { ratio: funnelRatio, prior: ratePrior } = fitFunnelPrior(
    judgedEvidence,
    funnelRules?.maxWeight ?? 0,
    1 / targetCpa,
  );
  if (funnelRules && funnelRatio.weight > 0)
    notes.push(
      `purchase rates also read ${FUNNEL_EVENT_LABELS[funnelRules.event]}: ${funnelRatio.eventsPerPurchase.toFixed(1)} per purchase across the account, weight ${funnelRatio.weight.toFixed(2)}`,
    );
  const context: AccountContext = {
    asOf: input.asOf,
    curve,
    accountRoas,
    breakEvenRoas: targets.breakEvenRoas,
    targetRoas: targets.targetRoas,
    targetCpa,
    accountCpm: judgedImpressions > 0 ? (judgedSpend / judgedImpressions) * 1000 : null,
    medianEntitySpend: medianRecentSpend(
      judged,
      input.asOf,
      rules.fatigue.cpmInflation.baselineDays + rules.fatigue.ctrDropFromPeak.days,
    ),
    ratePrior,
    ...(funnelRules ? { funnel: { event: funnelRules.event, ratio: funnelRatio } } : {}),
    aovPrior: orderValuePriorFromAccount(aov, 0.7, AD_SET_ORDER_VALUE_SPREAD),
    money: guardrailMoneyFor(rules, {
      targetCpa,
      metaMinDailyBudgetMinor: input.metaMinDailyBudgetMinor,
      minorDigits: input.minorDigits,
    }),
  };

  const entityDecisions = input.entities.map((entity) =>
    decideEntity(entity, context, rules, features.get(entity.entityId)),
  );
  const allocation = rules.allocation.enabled
    ? allocatePortfolio(input, entityDecisions, features, context, rules)
    : null;
  if (allocation?.skipped) notes.push(allocation.skipped);
  else if (allocation?.totalMinor) {
    const optimum = allocation.lines.reduce((sum, line) => sum + line.optimumMinor, 0n);
    const total = allocation.totalMinor;
    // Leaving budget unspent is an account-level call: say it once, in money, not only per ad set.
    if (total > 0n && optimum * 100n < total * 95n) {
      const share = Number((optimum * 1000n) / total) / 10;
      notes.push(
        `allocation: only ${share}% of the ${formatMicros(minorUnitsToMicros(total, input.minorDigits), input.minorDigits)} daily budget earns the target ROAS at the margin; the rest is better left unspent (budgets move there step by step)`,
      );
    }
  }
  return {
    asOf: input.asOf,
    targets,
    accountRoas,
    decisions: allocation?.decisions ?? entityDecisions,
    allocation,
    notes,
  };
}

/** Median over entities of their spend in the last `days` complete days (the fatigue window). */
function medianRecentSpend(entities: readonly EntityFacts[], asOf: IsoDate, days: number): number | null {
  const spends = entities
    .map((e) =>
      e.rows.reduce((sum, row) => {
        const age = ageOn(row.date, asOf);
        return age >= 0 && age < days ? sum + toMajor(row.totals.spend) : sum;
      }, 0),
    )
    .sort((a, b) => a - b);
  if (spends.length === 0) return null;
  const middle = Math.floor(spends.length / 2);
  return spends.length % 2 === 1
    ? (spends[middle] ?? 0)
    : ((spends[middle - 1] ?? 0) + (spends[middle] ?? 0)) / 2;
}
