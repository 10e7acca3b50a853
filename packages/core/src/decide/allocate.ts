import { MICROS_PER_UNIT } from '../money/money.ts';
import { fitFunnelPrior, funnelRoasPosterior } from '../stats/funnel-evidence.ts';
import { completenessAt } from '../stats/lag.ts';
import { normalCdf } from '../stats/special-functions.ts';
import { posteriorMeanRoas } from '../stats/roas-posterior.ts';
import { DEFAULT_MODEL_RULES } from '../rules/defaults.ts';
import type { EngineRules, FunnelEvidenceRules } from '../rules/engine-rules.ts';
import type { Reason } from './classify.ts';
import { explainDecision, type AccountContext, type Decision, type EntityFacts } from './decide-entity.ts';
import type { AccountInput } from './decide-account.ts';
import { ageOn, type EntityFeatures } from './features.ts';
import { applyGuardrails } from './guardrails.ts';
import { HullBuilder } from './concave-hull.ts';
import { modifierFor } from './audience.ts';
import { allocationModelFactors } from './model-evidence.ts';

/** One ad set's share of the portfolio: what it spends now and what water-filling would give it. */
export type AllocationLine = {
  entityId: string;
  currentMinor: bigint;
  /** The unconstrained optimum on the posterior (minor units). */
  optimumMinor: bigint;
  /** The optimum after the per-step limits and the account total (minor units). */
  targetMinor: bigint;
  /** Expected marginal return per unit of spend at the current budget, in value (not ROAS) terms. */
  marginalValue: number;
};

export type AllocationResult = {
  /** Why the allocation did not run; null when it did. */
  skipped: string | null;
  /** Marginal value every funded ad set is brought to (>= 1 when money is left unspent). */
  lambda: number | null;
  totalMinor: bigint | null;
  lines: AllocationLine[];
  decisions: Decision[];
};

const toMajor = (micros: bigint) => Number(micros) / Number(MICROS_PER_UNIT);

/** The longest memory a stretched window may reach. */
const MAX_LOOKBACK_DAYS = 90;

type ResponseCurve = { halfSaturation: number; exponent: number };

/** Revenue per unit of low-spend ROAS at `spend`: K x^a / (1 + x^a) with x = spend / K (≈ spend when small). */
function response(spend: number, curve: ResponseCurve): number {
  if (spend <= 0) return 0;
  const ratio = spend / curve.halfSaturation;
  // The concave default (exponent 1) needs no power: this runs for every row and grid point.
  const x = curve.exponent === 1 ? ratio : ratio ** curve.exponent;
  return (curve.halfSaturation * x) / (1 + x);
}

type Candidate = {
  index: number;
  facts: EntityFacts;
  current: number;
  /** Value per unit of response: m x audience weight x posterior low-spend ROAS (m = 1 / break-even). */
  value: number;
  /** Posterior spread of log value, for the evidence band. */
  logSd: number;
  curve: ResponseCurve;
  /** How the models moved the value, when they did. */
  modelReason: Reason | null;
};

/** Expected value of one more unit of spend at `spend` (1 = break-even), by a small finite difference. */
function marginalValue(c: Candidate, spend: number): number {
  const h = Math.max(0.01, spend * 1e-3);
  return (c.value * (response(spend + h, c.curve) - response(spend, c.curve))) / h;
}

/** The budget one ad set would get alone at marginal value λ with the given value (a grid search). */
function soloOptimum(c: Candidate, value: number, lambda: number, total: number, step: number): number {
  if (c.curve.exponent === 1) {
    // Concave Hill curve: v·K²/(K+b)² = λ has the closed form b = K(√(v/λ) − 1), snapped to the grid.
    const exact = value > lambda ? c.curve.halfSaturation * (Math.sqrt(value / lambda) - 1) : 0;
    return Math.min(total, Math.round(exact / step) * step);
  }
  let best = 0;
  let bestGain = 0;
  for (let b = step; b <= total; b += step) {
    const gain = value * response(b, c.curve) - lambda * b;
    if (gain > bestGain) {
      best = b;
      bestGain = gain;
    } else if (b > c.curve.halfSaturation && gain < bestGain) break; // concave past K: only falls from here
  }
  return best;
}

/**
 * Water-filling on the concave hull of each candidate's expected profit over a budget grid: the
 * steepest increments first until the total is spent or no increment pays (exact for concave curves,
 * the LP bound for S-shaped ones). Returns each candidate's budget and the last slope funded.
 */
function waterFill(
  candidates: readonly Candidate[],
  total: number,
  minBudget: number,
  floorSlope: number,
): { budgets: number[]; lambda: number } {
  const step = Math.max(minBudget, total / (candidates.length * 8));
  // Segments as columns, per candidate in budget order: no object per grid point or per segment.
  const slopes: number[] = [];
  const froms: number[] = [];
  const tos: number[] = [];
  // Candidate i's segments are slopes[starts[i]] .. slopes[ends[i] - 1].
  const starts: number[] = [];
  const ends: number[] = [];
  const hull = new HullBuilder(Math.ceil(total / step) + 4);
  candidates.forEach((c) => {
    const profit = (b: number) => c.value * response(b, c.curve) - b;
    // The grid in budget order with the current budget merged in after any equal grid point.
    const withCurrent = c.current >= minBudget && c.current <= total;
    let currentDone = !withCurrent;
    const emit = (budget: number, value: number) => {
      if (!currentDone && c.current < budget) {
        hull.push(c.current, profit(c.current));
        currentDone = true;
      }
      hull.push(budget, value);
    };
    hull.reset();
    emit(0, 0);
    let last = 0;
    for (let b = minBudget; b <= total; b = Math.min(total, b + step)) {
      const p = profit(b);
      emit(b, p);
      // Past K the curve is concave: once profit falls there it keeps falling.
      if (b >= total || (b > c.curve.halfSaturation && p < last)) break;
      last = p;
    }
    if (!currentDone) hull.push(c.current, profit(c.current));
    starts.push(slopes.length);
    for (let h = 1; h < hull.size; h++) {
      const fromBudget = hull.budgets[h - 1] as number;
      const toBudget = hull.budgets[h] as number;
      if (toBudget > fromBudget) {
        slopes.push(
          ((hull.profits[h] as number) - (hull.profits[h - 1] as number)) / (toBudget - fromBudget),
        );
        froms.push(fromBudget);
        tos.push(toBudget);
      }
    }
    ends.push(slopes.length);
  });
  // Steepest first (ties: lower candidate). Each candidate's hull slopes fall as its budget grows, so
  // merging the candidates' runs gives the sorted order, and it stops as soon as the money is spent.
  const budgets = candidates.map(() => 0);
  const heads = starts.slice();
  let left = total;
  let lambda = floorSlope;
  while (left > 0) {
    let pick = -1;
    let steepest = floorSlope;
    for (let i = 0; i < heads.length; i++) {
      const k = heads[i] as number;
      if (k < (ends[i] as number) && (slopes[k] as number) > steepest) {
        pick = i;
        steepest = slopes[k] as number;
      }
    }
    if (pick < 0) break;
    const k = heads[pick] as number;
    heads[pick] = k + 1;
    const from = froms[k] as number;
    if (budgets[pick] !== from) continue;
    const granted = Math.min((tos[k] as number) - from, left);
    budgets[pick] = from + granted;
    left -= granted;
    lambda = steepest;
  }
  return { budgets, lambda: lambda + 1 };
}

/** One ad set's rows as columns (typed arrays: the fit below reads every row for every stretch). */
type AllocationDays = {
  age: Float64Array;
  completeness: Float64Array;
  spend: Float64Array;
  purchases: Float64Array;
  revenue: Float64Array;
  /** The funnel event `rules.funnelEvidence` reads (add-to-carts by default); 0 when it is off. */
  funnelEvents: Float64Array;
};

/** Rows read once: ages, completeness and money in plain numbers, for every fit below. */
function readAllocationDays(
  facts: readonly EntityFacts[],
  input: AccountInput,
  context: AccountContext,
  funnel: FunnelEvidenceRules | undefined,
): AllocationDays[] {
  return facts.map(({ rows }) => {
    const n = rows.length;
    const days: AllocationDays = {
      age: new Float64Array(n),
      completeness: new Float64Array(n),
      spend: new Float64Array(n),
      purchases: new Float64Array(n),
      revenue: new Float64Array(n),
      funnelEvents: new Float64Array(n),
    };
    rows.forEach((row, r) => {
      const age = ageOn(row.date, input.asOf);
      days.age[r] = age;
      days.completeness[r] = completenessAt(context.curve, age);
      days.spend[r] = toMajor(row.totals.spend);
      days.purchases[r] = row.totals.purchases;
      days.revenue[r] = toMajor(row.totals.revenue);
      days.funnelEvents[r] = funnel ? row.totals[funnel.event] : 0;
    });
    return days;
  });
}

/**
 * Low-spend ROAS of each ad set on the posterior, fitted on every recent day at the spend it ran at:
 * each day's spend is turned into "response" under the curve, discounted for lag and weighted toward
 * recent days, then the Gamma-Poisson x lognormal posterior shrinks it toward the account.
 */
function lowSpendRoas(
  days: readonly AllocationDays[],
  curves: readonly ResponseCurve[],
  context: AccountContext,
  settings: EngineRules['allocation'],
  funnel: FunnelEvidenceRules | undefined,
): { mean: number; logSd: number }[] {
  const gather = (stretch: number) =>
    days.map((rows, i) => {
      let exposure = 0;
      let purchases = 0;
      let revenue = 0;
      let funnelEvents = 0;
      const curve = curves[i] as ResponseCurve;
      const lookback = Math.min(MAX_LOOKBACK_DAYS, settings.lookbackDays * stretch);
      const decay = 0.5 ** (1 / (settings.halfLifeDays * stretch));
      for (let r = 0; r < rows.age.length; r++) {
        const age = rows.age[r] as number;
        if (age < 0 || age >= lookback) continue;
        const weight = decay ** age;
        exposure += weight * (rows.completeness[r] as number) * response(rows.spend[r] as number, curve);
        purchases += weight * (rows.purchases[r] as number);
        revenue += weight * (rows.revenue[r] as number);
        funnelEvents += weight * (rows.funnelEvents[r] as number);
      }
      return { exposure, purchases, revenue, funnelEvents };
    });
  // A small account remembers longer: the window stretches until the account has enough purchases.
  let evidence = gather(1);
  for (const stretch of [1.5, 2, 3]) {
    if (evidence.reduce((s, e) => s + e.purchases, 0) >= settings.minAccountPurchases) break;
    evidence = gather(stretch);
  }
  // Scarce purchases lean on add-to-carts through the account's cart-to-purchase ratio (rules permitting).
  const { ratio, prior } = fitFunnelPrior(evidence, funnel?.maxWeight ?? 0, 1 / context.targetCpa);
  return evidence.map((e) => {
    const posterior = funnelRoasPosterior(e, ratio, prior, context.aovPrior);
    // Log ROAS is about normal: log-gamma (variance ≈ 1/α + 1/2α²) plus the order-value term.
    const logSd = Math.sqrt(1 / posterior.alpha + 1 / (2 * posterior.alpha ** 2) + posterior.aovLogSd ** 2);
    return { mean: posteriorMeanRoas(posterior), logSd };
  });
}

/**
 * Portfolio allocation (product.md item 12): each active ad set's posterior mean ROAS, observed at its
 * recent spend, defines a diminishing-returns curve; water-filling brings every funded ad set to the
 * same marginal value λ (at least break-even when money may stay unspent) within the account total.
 * The targets become signed budget changes, limited per step, and every change goes through the
 * guardrails again. Pauses decided per entity stand; allocation never pauses or resumes by itself.
 */
export function allocatePortfolio(
  input: AccountInput,
  decisions: readonly Decision[],
  features: ReadonlyMap<string, EntityFeatures>,
  context: AccountContext,
  rules: EngineRules,
): AllocationResult {
  const settings = rules.allocation;
  const skip = (skipped: string): AllocationResult => ({
    skipped,
    lambda: null,
    totalMinor: null,
    lines: [],
    decisions: [...decisions],
  });
  const scale = 10 ** input.minorDigits;
  const adSets = input.entities
    .map((facts, index) => ({ facts, index }))
    .filter(({ facts }) => facts.level === 'adset' && facts.status !== 'paused');
  if (adSets.length === 0) return skip('allocation: no active ad sets');
  if (
    adSets.some(({ facts }) => facts.state.budgetOwner === 'adset' && facts.state.dailyBudgetMinor === null)
  )
    return skip('allocation: ad set budgets are unknown (imported data), so no budget is reallocated');
  const owned = adSets.filter(({ facts }) => facts.state.budgetOwner === 'adset');
  if (owned.length === 0) return skip('allocation: every budget is owned by a campaign (CBO)');

  const currentSum = owned.reduce((s, { facts }) => s + Number(facts.state.dailyBudgetMinor ?? 0n), 0);
  const totalMinor = input.totalDailyBudgetMinor ?? BigInt(currentSum);
  const total = Number(totalMinor) / scale;
  const equalShare = total / owned.length;
  // Value is revenue over the target ROAS: a unit of spend pays when it returns at least the target.
  const margin = 1 / context.targetRoas;
  const curves = owned.map(() => ({
    halfSaturation: settings.halfSaturationShare * equalShare,
    exponent: settings.saturationExponent,
  }));
  const roas = lowSpendRoas(
    readAllocationDays(
      owned.map(({ facts }) => facts),
      input,
      context,
      rules.funnelEvidence,
    ),
    curves,
    context,
    settings,
    rules.funnelEvidence,
  );
  const budgets = owned.map(({ facts }) => Number(facts.state.dailyBudgetMinor ?? 0n) / scale);
  // The models' evidence moves each value as rules.models.allocation says (factor 1 when off or absent).
  const modelFactors = allocationModelFactors(
    owned.map(({ facts }, k) => {
      const current = budgets[k] ?? 0;
      const curve = curves[k] as ResponseCurve;
      const r0 = roas[k]?.mean ?? 0;
      return {
        evidence: facts.models,
        averageRoas: current > 0 ? (r0 * response(current, curve)) / current : 0,
        budget: current,
      };
    }),
    rules.models ?? DEFAULT_MODEL_RULES,
  );
  const candidates: Candidate[] = owned.map(({ facts, index }, k) => ({
    index,
    facts,
    current: budgets[k] ?? 0,
    value:
      (margin * (roas[k]?.mean ?? 0) * (modelFactors[k]?.factor ?? 1)) /
      modifierFor(facts.audience, rules).roasThresholdMultiplier,
    logSd: roas[k]?.logSd ?? 0,
    curve: curves[k] as ResponseCurve,
    modelReason: modelFactors[k]?.reason ?? null,
  }));
  const minBudget = context.money.minDailyBudget;
  // Money is left unspent only where even an optimistic reading of the evidence says it does not pay:
  // a small account's noisy estimates must not switch its budget off.
  const optimistic = candidates.map((c) => ({
    ...c,
    value: c.value * Math.exp(settings.unspentEvidenceBand * c.logSd),
  }));
  const spend = settings.leaveUnspentBelowTarget
    ? waterFill(optimistic, total, minBudget, 0).budgets.reduce((sum, b) => sum + b, 0)
    : total;
  const filled = waterFill(candidates, spend, minBudget, -1);
  const lambda = filled.lambda;
  const up = 1 + settings.maxIncreasePercent / 100;
  const down = 1 - settings.maxDecreasePercent / 100;
  const grid = Math.max(minBudget, total / (candidates.length * 8));
  // A loser at its current budget that likely pays at a lower one is cut by the allocation, not paused.
  const base = [...decisions];
  const cutShare = settings.cutBeforePauseAt ?? null;
  if (cutShare !== null)
    candidates.forEach((c, k) => {
      const decision = decisions[c.index];
      const pause = decision?.reasons.find((r) => r.ruleId === 'bucket.breakEven.pause' && r.passed);
      if (!decision || decision.action !== 'PAUSE' || !pause || c.current <= 0) return;
      const lower = c.current * cutShare;
      const roasLower = ((roas[k]?.mean ?? 0) * response(lower, c.curve)) / lower;
      const line = context.breakEvenRoas * modifierFor(c.facts.audience, rules).roasThresholdMultiplier;
      const stillPays = normalCdf((Math.log(roasLower) - Math.log(line)) / Math.max(c.logSd, 1e-6));
      if (stillPays <= rules.buckets.breakEven.pauseMaxProbability) return;
      base[c.index] = {
        ...decision,
        action: 'HOLD',
        concludedAction: 'HOLD',
        reasons: [
          ...decision.reasons,
          {
            ruleId: 'allocation.cutBeforePause',
            metric: `P(ROAS > break-even) at ${Math.round(cutShare * 100)}% of the budget`,
            observed: Math.round(stillPays * 1000) / 1000,
            threshold: rules.buckets.breakEven.pauseMaxProbability,
            passed: true,
            text: `${Math.round(stillPays * 100)}% likely to make money at ${Math.round(cutShare * 100)}% of its budget: cut it instead of pausing`,
          },
        ],
      };
    });
  const steps = candidates.map((c, k) => {
    const optimum = filled.budgets[k] ?? 0;
    const decision = base[c.index];
    const isPaused = decision?.action === 'PAUSE';
    // Move only where the evidence agrees: even a pessimistic reading wants more, or an optimistic one less.
    const band = Math.exp(settings.evidenceBand * c.logSd);
    const wantsMore = soloOptimum(c, c.value / band, lambda, total, grid) > c.current;
    const wantsLess = soloOptimum(c, c.value * band, lambda, total, grid) < c.current;
    const direction =
      optimum > c.current ? (wantsMore ? optimum : c.current) : wantsLess ? optimum : c.current;
    const target = isPaused ? 0 : Math.min(c.current * up, Math.max(c.current * down, direction));
    return { c, optimum, target };
  });
  const out = [...base];
  const lines: AllocationLine[] = [];
  /** Turns one step into a guarded decision; returns the budget the ad set will run at. */
  const settle = ({ c, optimum, target }: (typeof steps)[number]): number => {
    const decision = base[c.index];
    if (!decision) return 0;
    lines.push({
      entityId: c.facts.entityId,
      currentMinor: BigInt(Math.round(c.current * scale)),
      optimumMinor: BigInt(Math.floor(optimum * scale)),
      targetMinor: BigInt(Math.floor(target * scale)),
      marginalValue: marginalValue(c, c.current),
    });
    if (decision.action === 'PAUSE') return 0;
    if (c.current <= 0) return c.current;
    const percent = Math.trunc(((target - c.current) / c.current) * 1000) / 10;
    const moves = Math.abs(percent) >= settings.minChangePercent;
    const reason: Reason = {
      ruleId: 'allocation.waterFilling',
      metric: 'marginal value per unit of spend',
      observed: Math.round(marginalValue(c, c.current) * 1000) / 1000,
      threshold: Math.round(lambda * 1000) / 1000,
      passed: moves,
      text: `the portfolio optimum is ${optimum.toFixed(2)} a day (now ${c.current.toFixed(2)}): ${
        moves
          ? `move ${percent > 0 ? '+' : ''}${percent}% toward it`
          : `within ${settings.minChangePercent}% of the current budget, no change`
      }`,
    };
    // A Scale the entity's rules held for confirmation does not hold the portfolio's own (guarded) move.
    const entityReasons = moves
      ? decision.reasons.map((r) =>
          r.ruleId === 'hysteresis' && !r.passed
            ? { ...r, text: `${r.text}; the portfolio move below is not held (small, guarded steps)` }
            : r,
        )
      : decision.reasons;
    const reasons = c.modelReason ? [...entityReasons, c.modelReason, reason] : [...entityReasons, reason];
    if (!moves) {
      out[c.index] = finish({
        ...decision,
        action: 'HOLD',
        scalePercent: null,
        newDailyBudgetMinor: null,
        reasons,
      });
      return c.current;
    }
    const guarded = applyGuardrails(
      { action: 'SCALE', scalePercent: percent, isKill: false },
      c.facts.state,
      rules.guardrails,
      context.money,
    );
    out[c.index] = finish({
      ...decision,
      action: guarded.action,
      scalePercent: guarded.scalePercent,
      newDailyBudgetMinor: guarded.newDailyBudgetMinor,
      appliesTo: guarded.appliesTo,
      guardrails: guarded.guardrails,
      reasons,
    });
    return guarded.newDailyBudgetMinor === null ? c.current : Number(guarded.newDailyBudgetMinor) / scale;
  };
  // Cuts and holds first, as the guardrails leave them (a held cut frees nothing); then the raises,
  // trimmed pro rata to the room actually left, so the account total always holds.
  const raising = steps.filter((step) => step.target > step.c.current);
  let committed = 0;
  for (const step of steps) if (step.target <= step.c.current) committed += settle(step);
  const wanted = raising.reduce((sum, step) => sum + (step.target - step.c.current), 0);
  const room = Math.max(0, total - committed - raising.reduce((sum, step) => sum + step.c.current, 0));
  const factor = wanted > room && wanted > 0 ? room / wanted : 1;
  for (const step of raising)
    settle({ ...step, target: step.c.current + (step.target - step.c.current) * factor });
  return { skipped: null, lambda, totalMinor, lines, decisions: out };
}

function finish(decision: Decision): Decision {
  return { ...decision, explanation: explainDecision(decision) };
}
